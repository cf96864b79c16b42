/* faceblit — moving-least-squares deformation (Schaefer et al. 2006, similarity
 * variant), the positional guide's mapping from target to style (DESIGN.md §2.3).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-geometry.h"

G_BEGIN_DECLS

/* f(v) for control points from[i] -> to[i]; f(from[i]) == to[i]. */
FbPoint fb_mls_similarity (const FbPoint * from, const FbPoint * to, int n, FbPoint v);

/* Evaluates f on the nodes (origin + (i, j) * spacing) of a grid with
 * cols = width / spacing + 2 and rows = height / spacing + 2 nodes (enough to
 * interpolate every pixel of a width x height region), then fills field (2 floats per
 * pixel, row-major, width x height) by bilinear interpolation of the nodes. nodes must
 * hold cols * rows points. */
void fb_mls_field (const FbPoint * from, const FbPoint * to, int n, float origin_x,
    float origin_y, int width, int height, int spacing, FbPoint * nodes, float *field);

int fb_mls_grid_nodes (int width, int height, int spacing);

G_END_DECLS
