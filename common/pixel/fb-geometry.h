/* faceblit — points, rectangles and similarity transforms.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-hostdevice.h"

typedef struct {
  float x;
  float y;
} FbPoint;

/* Integer pixel rectangle, half-open: [x, x + width) x [y, y + height). */
typedef struct {
  int x;
  int y;
  int width;
  int height;
} FbRect;

/* x' = a x - b y + tx,  y' = b x + a y + ty  (rotation + uniform scale + shift). */
typedef struct {
  float a;
  float b;
  float tx;
  float ty;
} FbSimilarity;

FB_FUNC FbPoint
fb_similarity_apply (FbSimilarity s, FbPoint p)
{
  FbPoint r = { s.a * p.x - s.b * p.y + s.tx, s.b * p.x + s.a * p.y + s.ty };
  return r;
}

FB_FUNC float
fb_similarity_scale (FbSimilarity s)
{
  return sqrtf (s.a * s.a + s.b * s.b);
}

FB_FUNC FbSimilarity
fb_similarity_invert (FbSimilarity s)
{
  float d = s.a * s.a + s.b * s.b;
  float ia = s.a / d, ib = -s.b / d;
  FbSimilarity r = { ia, ib, -(ia * s.tx - ib * s.ty), -(ib * s.tx + ia * s.ty) };
  return r;
}

FB_FUNC FbRect
fb_rect_intersect (FbRect a, FbRect b)
{
  int x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
  int x1 = a.x + a.width < b.x + b.width ? a.x + a.width : b.x + b.width;
  int y1 = a.y + a.height < b.y + b.height ? a.y + a.height : b.y + b.height;
  FbRect r = { x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0 };
  return r;
}
