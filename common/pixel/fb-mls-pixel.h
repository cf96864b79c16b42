/* faceblit — the MLS positional field at one pixel, interpolated bilinearly between its
 * grid nodes (fb-mls.h), for the CPU (fb-mls.c) and the CUDA kernels alike: first down
 * the two node columns around the pixel, then along the row between them.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-geometry.h"

/* The point a fraction t of the way from a to b. */
FB_FUNC FbPoint
fb_mls_lerp (FbPoint a, FbPoint b, float t)
{
  FbPoint p = { a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t };
  return p;
}

/* How far pixel row y lies below its node row, in node spacings; inverse: 1 / spacing. */
FB_FUNC float
fb_mls_row_fraction (int y, int spacing, float inverse)
{
  return (y - y / spacing * spacing) * inverse;
}

/* One pixel's step along a row from the node column at a to the next one at b. */
FB_FUNC FbPoint
fb_mls_row_step (FbPoint a, FbPoint b, float inverse)
{
  FbPoint d = { (b.x - a.x) * inverse, (b.y - a.y) * inverse };
  return d;
}

/* k steps of d from a. */
FB_FUNC FbPoint
fb_mls_row_point (FbPoint a, FbPoint d, int k)
{
  FbPoint p = { a.x + d.x * k, a.y + d.y * k };
  return p;
}

/* The field at pixel (x, y) from the nodes (cols a row, spacing apart). */
FB_FUNC FbPoint
fb_mls_field_pixel (const FbPoint * nodes, int cols, int spacing, int x, int y)
{
  float inverse = 1.0f / spacing, fy = fb_mls_row_fraction (y, spacing, inverse);
  int gi = x / spacing;
  const FbPoint *r0 = nodes + (size_t) (y / spacing) * cols + gi, *r1 = r0 + cols;
  FbPoint a = fb_mls_lerp (r0[0], r1[0], fy), b = fb_mls_lerp (r0[1], r1[1], fy);

  return fb_mls_row_point (a, fb_mls_row_step (a, b, inverse), x - gi * spacing);
}
