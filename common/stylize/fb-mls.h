/* faceblit — moving-least-squares deformation (Schaefer et al. 2006, similarity
 * variant), the positional guide's mapping from target to style (DESIGN.md §2.3).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-geometry.h"

G_BEGIN_DECLS

/* f(v) for control points from[i] -> to[i]; f(from[i]) == to[i]. */
FbPoint fb_mls_similarity (const FbPoint * from, const FbPoint * to, int n, FbPoint v);

/* The positional field over a width x height region whose pixel (0, 0) sits at origin:
 * f is evaluated on the nodes (origin + (i, j) * spacing) of a grid with
 * cols = width / spacing + 2 and rows = height / spacing + 2 nodes, then interpolated
 * bilinearly into field (2 floats per pixel, row-major). Both passes work on row ranges
 * so that threads can share them: first every node row, then every pixel row. */
typedef struct {
  const FbPoint *from;
  const FbPoint *to;
  int n;
  float origin_x;
  float origin_y;
  int width;
  int height;
  int spacing;
  FbPoint *nodes;               /* fb_mls_grid_nodes () of them */
  float *field;
} FbMlsField;

int fb_mls_field_node_rows (const FbMlsField * f);
void fb_mls_field_nodes (const FbMlsField * f, int row0, int row1);
void fb_mls_field_interpolate (const FbMlsField * f, int y0, int y1);

int fb_mls_grid_nodes (int width, int height, int spacing);

G_END_DECLS
