/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-mask.h"
#include "fb-guide.h"

#include <math.h>
#include <string.h>

#define N_JAW (FB_LM_JAW_LAST - FB_LM_JAW_FIRST + 1)
#define N_ARC (FB_FACE_OUTLINE_POINTS - N_JAW)

/* Sub-scanlines per pixel row; coverage along x is exact. */
#define MASK_SUBSAMPLES 8

/* How far the top of the head lies above the brows, in brow-to-chin distances. */
#define FOREHEAD_HEIGHT 0.45f

void
fb_face_outline (const FbLandmarks * lm, FbPoint out[FB_FACE_OUTLINE_POINTS])
{
  const FbPoint *p = lm->points;
  FbPoint left = p[FB_LM_JAW_FIRST], right = p[FB_LM_JAW_LAST], chin = p[8];
  FbPoint centre = { 0.5f * (left.x + right.x), 0.5f * (left.y + right.y) };
  FbPoint brows = { 0, 0 }, ex, up;
  float half_width, height, brow_to_chin, side;
  int i;

  for (i = 0; i < N_JAW; i++)
    out[i] = p[FB_LM_JAW_FIRST + i];

  for (i = FB_LM_BROWS_FIRST; i <= FB_LM_BROWS_LAST; i++) {
    brows.x += p[i].x;
    brows.y += p[i].y;
  }
  brows.x /= FB_LM_BROWS_LAST - FB_LM_BROWS_FIRST + 1;
  brows.y /= FB_LM_BROWS_LAST - FB_LM_BROWS_FIRST + 1;

  /* The arc is half an ellipse on the jaw's end points: its first axis runs from the
   * centre to jaw point 16, its second points away from the chin. */
  ex.x = right.x - centre.x;
  ex.y = right.y - centre.y;
  half_width = hypotf (ex.x, ex.y);
  if (half_width < 1e-3f) {
    ex.x = 1;
    ex.y = 0;
    half_width = 1e-3f;
  } else {
    ex.x /= half_width;
    ex.y /= half_width;
  }
  up.x = ex.y;
  up.y = -ex.x;
  side = (chin.x - centre.x) * up.x + (chin.y - centre.y) * up.y;
  if (side > 0) {
    up.x = -up.x;
    up.y = -up.y;
  }
  brow_to_chin = hypotf (chin.x - brows.x, chin.y - brows.y);
  height = (brows.x - centre.x) * up.x + (brows.y - centre.y) * up.y
      + FOREHEAD_HEIGHT * brow_to_chin;
  height = MAX (height, 0.25f * half_width);

  for (i = 1; i <= N_ARC; i++) {
    float t = (float) G_PI * i / (N_ARC + 1);
    float c = half_width * cosf (t), s = height * sinf (t);
    out[N_JAW + i - 1].x = centre.x + c * ex.x + s * up.x;
    out[N_JAW + i - 1].y = centre.y + c * ex.y + s * up.y;
  }
}

/* Insertion sort: a scanline crosses the outline a handful of times. */
static void
sort_crossings (float *crossings, int n)
{
  int i, j;

  for (i = 1; i < n; i++) {
    float v = crossings[i];
    for (j = i; j > 0 && crossings[j - 1] > v; j--)
      crossings[j] = crossings[j - 1];
    crossings[j] = v;
  }
}

/* lroundf (v) clamped to 0..255, without the library call: v - trunc (v) is exact. */
static inline uint8_t
round_to_byte (float v)
{
  int i;

  if (!(v > 0))
    return 0;
  if (v >= 255)
    return 255;
  i = (int) v;
  return (uint8_t) (i + (v - i >= 0.5f));
}

/* Adds the coverage of [x, +inf) within pixels to the difference array `delta`
 * (sign +1 where a span starts, -1 where it ends). Pixel i covers [i - 0.5, i + 0.5). */
static inline void
add_edge (float *delta, int width, float x, float sign)
{
  int i;
  float frac;

  x = CLAMP (x, -0.5f, width - 0.5f);
  i = (int) floorf (x + 0.5f);
  frac = i + 0.5f - x;          /* part of pixel i to the right of x */
  delta[i] += sign * frac;
  delta[i + 1] += sign * (1.0f - frac);
}

void
fb_face_mask_render (const FbLandmarks * lm, float origin_x, float origin_y,
    float feather_sigma, FbImage * mask)
{
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  float crossings[FB_FACE_OUTLINE_POINTS], *delta;
  float y_min = G_MAXFLOAT, y_max = -G_MAXFLOAT;
  int w = mask->width, h = mask->height, x, y, y0, y1, i, s;

  g_return_if_fail (mask->channels == 1);
  fb_face_outline (lm, outline);
  for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
    outline[i].x -= origin_x;
    outline[i].y -= origin_y;
    y_min = MIN (y_min, outline[i].y);
    y_max = MAX (y_max, outline[i].y);
  }

  for (y = 0; y < h; y++)
    memset (fb_image_row (mask, y), 0, w);
  if (!(y_max > -0.5f && y_min < h - 0.5f))
    return;
  y0 = MAX (0, (int) floorf (y_min + 0.5f));
  y1 = MIN (h - 1, (int) ceilf (y_max + 0.5f));
  delta = g_new (float, w + 2);

  for (y = y0; y <= y1; y++) {
    uint8_t *row = fb_image_row (mask, y);
    float coverage = 0;

    memset (delta, 0, (w + 2) * sizeof (float));
    for (s = 0; s < MASK_SUBSAMPLES; s++) {
      float sy = y - 0.5f + (s + 0.5f) / MASK_SUBSAMPLES;
      int n = 0;
      for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
        FbPoint a = outline[i], b = outline[(i + 1) % FB_FACE_OUTLINE_POINTS];
        /* half-open in y so that a vertex shared by two edges counts once */
        if ((a.y <= sy) != (b.y <= sy))
          crossings[n++] = a.x + (sy - a.y) * (b.x - a.x) / (b.y - a.y);
      }
      sort_crossings (crossings, n);
      for (i = 0; i + 1 < n; i += 2) {
        add_edge (delta, w, crossings[i], 1.0f);
        add_edge (delta, w, crossings[i + 1], -1.0f);
      }
    }
    for (x = 0; x < w; x++) {
      coverage += delta[x];
      row[x] = round_to_byte (coverage * (255.0f / MASK_SUBSAMPLES));
    }
  }
  g_free (delta);

  if (feather_sigma > 0)
    fb_blur (mask, &mask, feather_sigma);
}
