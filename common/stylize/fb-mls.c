/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-mls.h"

#include <math.h>
#include <string.h>

#include "fb-mls-pixel.h"
#include "fb-vectorised.h"

int
fb_mls_grid_nodes (int width, int height, int spacing)
{
  return (width / spacing + 2) * (height / spacing + 2);
}

int
fb_mls_field_node_rows (const FbMlsField * f)
{
  return f->height / f->spacing + 2;
}

/* Points evaluated side by side in vector lanes. */
#define LANES 4
typedef double DoubleLanes __attribute__((vector_size (LANES * sizeof (double))));
typedef float FloatLanes __attribute__((vector_size (LANES * sizeof (float))));

/* The similarity at LANES points at once. In complex notation the best similarity z
 * minimises sum w_i |z p^_i - q^_i|^2, so z = sum w_i conj(p^_i) q^_i / sum w_i |p^_i|^2:
 * no matrix inversion needed. Each lane does one point's arithmetic in the order it
 * would alone, so a point's result does not depend on the lanes beside it. Returns -1,
 * or (nothing written) the first control point on which one of the points lies. */
FB_VECTORISED static int
mls_similarity_lanes (const FbPoint * from, const FbPoint * to, int n, FloatLanes vx,
    FloatLanes vy, FbPoint * out)
{
  DoubleLanes sw = { 0 }, px = sw, py = sw, qx = sw, qy = sw, mu = sw, zr = sw, zi = sw;
  DoubleLanes *weights = g_newa (DoubleLanes, n);
  int i, k;

  for (i = 0; i < n; i++) {
    DoubleLanes dx = __builtin_convertvector (from[i].x - vx, DoubleLanes);
    DoubleLanes dy = __builtin_convertvector (from[i].y - vy, DoubleLanes);
    DoubleLanes d2 = dx * dx + dy * dy, w;
    for (k = 0; k < LANES; k++)
      if (d2[k] < 1e-8)
        return i;
    w = weights[i] = 1.0 / d2;
    sw += w;
    px += w * (double) from[i].x;
    py += w * (double) from[i].y;
    qx += w * (double) to[i].x;
    qy += w * (double) to[i].y;
  }
  px /= sw;
  py /= sw;
  qx /= sw;
  qy /= sw;
  for (i = 0; i < n; i++) {
    DoubleLanes w = weights[i];
    DoubleLanes ax = (double) from[i].x - px, ay = (double) from[i].y - py;
    DoubleLanes bx = (double) to[i].x - qx, by = (double) to[i].y - qy;
    mu += w * (ax * ax + ay * ay);
    zr += w * (ax * bx + ay * by);
    zi += w * (ax * by - ay * bx);
  }
  for (k = 0; k < LANES; k++) {
    double x = vx[k] - px[k], y = vy[k] - py[k], m = mu[k] < 1e-12 ? 1e-12 : mu[k];
    out[k].x = (float) ((zr[k] * x - zi[k] * y) / m + qx[k]);
    out[k].y = (float) ((zi[k] * x + zr[k] * y) / m + qy[k]);
  }
  return -1;
}

FbPoint
fb_mls_similarity (const FbPoint * from, const FbPoint * to, int n, FbPoint v)
{
  FloatLanes vx = { v.x, v.x, v.x, v.x }, vy = { v.y, v.y, v.y, v.y };
  FbPoint out[LANES];
  int on = mls_similarity_lanes (from, to, n, vx, vy, out);

  return on < 0 ? out[0] : to[on];
}

/* Lanes past the row's end repeat its last node; a group with a node on a control
 * point is evaluated node by node. */
void
fb_mls_field_nodes (const FbMlsField * f, int row0, int row1)
{
  int cols = f->width / f->spacing + 2, i, j, k;

  for (j = row0; j < row1; j++)
    for (i = 0; i < cols; i += LANES) {
      FbPoint *nodes = f->nodes + j * cols + i, out[LANES];
      int n = MIN (LANES, cols - i);
      FloatLanes vx, vy;
      for (k = 0; k < LANES; k++) {
        vx[k] = f->origin_x + (i + MIN (k, n - 1)) * f->spacing;
        vy[k] = f->origin_y + j * f->spacing;
      }
      if (mls_similarity_lanes (f->from, f->to, f->n, vx, vy, out) < 0) {
        memcpy (nodes, out, n * sizeof (FbPoint));
        continue;
      }
      for (k = 0; k < n; k++) {
        FbPoint v = { vx[k], vy[k] };
        nodes[k] = fb_mls_similarity (f->from, f->to, f->n, v);
      }
    }
}

/* The field's interpolation (fb-mls-pixel.h) a row at a time: down the node columns
 * once per row, then along the row between neighbouring columns, a step at a time. */
void
fb_mls_field_interpolate (const FbMlsField * f, int y0, int y1)
{
  int cols = f->width / f->spacing + 2, spacing = f->spacing, gi, k, x, y;
  float inv = 1.0f / spacing;
  FbPoint *column = g_newa (FbPoint, cols);

  for (y = y0; y < y1; y++) {
    float fy = fb_mls_row_fraction (y, spacing, inv);
    const FbPoint *r0 = f->nodes + y / spacing * cols, *r1 = r0 + cols;
    float *out = f->field + (size_t) y * f->width * 2;
    for (gi = 0; gi < cols; gi++)
      column[gi] = fb_mls_lerp (r0[gi], r1[gi], fy);
    for (gi = 0, x = 0; x < f->width; gi++) {
      FbPoint d = fb_mls_row_step (column[gi], column[gi + 1], inv);
      for (k = 0; k < spacing && x < f->width; k++, x++) {
        FbPoint p = fb_mls_row_point (column[gi], d, k);
        out[2 * x] = p.x;
        out[2 * x + 1] = p.y;
      }
    }
  }
}
