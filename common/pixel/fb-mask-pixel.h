/* faceblit — one row of the head mask: the outline filled by an anti-aliased scanline
 * rule, for the CPU (fb-mask.c) and the CUDA kernels alike.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-geometry.h"

/* Number of points fb_face_outline writes. */
#define FB_FACE_OUTLINE_POINTS 32

/* Sub-scanlines per pixel row; coverage along x is exact. */
#define FB_MASK_SUBSAMPLES 8

/* Insertion sort: a scanline crosses the outline a handful of times. */
FB_FUNC void
fb_mask_sort_crossings (float *crossings, int n)
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
FB_FUNC uint8_t
fb_mask_round_to_byte (float v)
{
  int i;

  if (!(v > 0))
    return 0;
  if (v >= 255)
    return 255;
  i = (int) v;
  return (uint8_t) (i + (v - i >= 0.5f));
}

/* The feathered mask from the blurred hard one: a blur puts the outline at half and
 * spills as far outside it as it softens inside, so the exemplar's backdrop beyond its
 * jaw would glow around the target's jaw. Stretching the upper half onto 0..255 keeps
 * the whole soft edge inside the outline: 0 on it and outside, 255 deep inside. */
FB_FUNC uint8_t
fb_mask_inner_feather (uint8_t blurred)
{
  return blurred <= 128 ? 0 : (uint8_t) (((blurred - 128) * 255 + 63) / 127);
}

/* Adds the coverage of [x, +inf) within pixels to the difference array `delta`
 * (sign +1 where a span starts, -1 where it ends). Pixel i covers [i - 0.5, i + 0.5). */
FB_FUNC void
fb_mask_add_edge (float *delta, int width, float x, float sign)
{
  float hi = width - 0.5f, frac;
  int i;

  x = x > hi ? hi : (x < -0.5f ? -0.5f : x);
  i = (int) floorf (x + 0.5f);
  frac = i + 0.5f - x;          /* part of pixel i to the right of x */
  delta[i] += sign * frac;
  delta[i + 1] += sign * (1.0f - frac);
}

/* Row y of a mask `width` pixels wide, inside the closed outline (mask pixels); delta:
 * room for width + 2 floats. */
FB_FUNC void
fb_face_mask_row (const FbPoint * outline, int y, int width, float *delta, uint8_t * row)
{
  float crossings[FB_FACE_OUTLINE_POINTS], coverage = 0;
  int x, i, s;

  for (x = 0; x < width + 2; x++)
    delta[x] = 0;
  for (s = 0; s < FB_MASK_SUBSAMPLES; s++) {
    float sy = y - 0.5f + (s + 0.5f) / FB_MASK_SUBSAMPLES;
    int n = 0;
    for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
      FbPoint a = outline[i], b = outline[(i + 1) % FB_FACE_OUTLINE_POINTS];
      /* half-open in y so that a vertex shared by two edges counts once */
      if ((a.y <= sy) != (b.y <= sy))
        crossings[n++] = a.x + (sy - a.y) * (b.x - a.x) / (b.y - a.y);
    }
    fb_mask_sort_crossings (crossings, n);
    for (i = 0; i + 1 < n; i += 2) {
      fb_mask_add_edge (delta, width, crossings[i], 1.0f);
      fb_mask_add_edge (delta, width, crossings[i + 1], -1.0f);
    }
  }
  for (x = 0; x < width; x++) {
    coverage += delta[x];
    row[x] = fb_mask_round_to_byte (coverage * (255.0f / FB_MASK_SUBSAMPLES));
  }
}
