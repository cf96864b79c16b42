/* faceblit — the blur's and the appearance guide's arithmetic on one value, for the CPU
 * (fb-guide.c) and the CUDA kernels alike. The blur keeps 8.8 fixed-point values, so
 * that its three box passes each way round only once each.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-blit.h"

#define FB_BLUR_FIX_SHIFT 8

FB_FUNC uint16_t
fb_blur_fixed_from_byte (uint8_t v)
{
  return (uint16_t) (v << FB_BLUR_FIX_SHIFT);
}

FB_FUNC uint8_t
fb_blur_byte_from_fixed (uint16_t v)
{
  return (uint8_t) ((v + (1 << (FB_BLUR_FIX_SHIFT - 1))) >> FB_BLUR_FIX_SHIFT);
}

/* What a box of radius r divides its sum by. */
FB_FUNC float
fb_box_inverse (int r)
{
  return 1.0f / (2 * r + 1);
}

/* A box's mean from its sum. */
FB_FUNC uint16_t
fb_box_mean (int32_t sum, float inverse)
{
  return (uint16_t) (sum * inverse + 0.5f);
}

/* Value i of a box pass of radius r along a line of n values `step` apart, edge values
 * repeated. The CPU keeps a running sum instead; sums of integers agree in any order. */
FB_FUNC uint16_t
fb_box_pass_value (const uint16_t * line, int step, int n, int i, int r)
{
  int32_t sum = 0;
  int k;

  for (k = i - r; k <= i + r; k++)
    sum += line[(size_t) fb_clampi (k, 0, n - 1) * step];
  return fb_box_mean (sum, fb_box_inverse (r));
}

/* (Y - blur) / 2 + 128 from the luma and its blur in 8.8 fixed point. */
FB_FUNC uint8_t
fb_appearance_pixel (uint8_t luma, uint16_t blur)
{
  /* (Y - blur) / 2 in 8.8 fixed point is a shift by 9; round half up */
  int d = ((int) luma << FB_BLUR_FIX_SHIFT) - (int) blur;
  int v = 128 + ((d + (1 << FB_BLUR_FIX_SHIFT)) >> (FB_BLUR_FIX_SHIFT + 1));

  return (uint8_t) fb_clampi (v, 0, 255);
}

/* Thin dark details (a hair strand across the cheek) are capped before the appearance
 * guide is made of the luma. Left as they are, they are strong local luminance
 * details, for which StyleBlit copies the exemplar's darkest strokes, in dashes where
 * the chunks change. A grey-level closing (the largest value within a radius, then the
 * smallest within it) fills in every dark structure narrower than its diameter and
 * keeps wider ones (eyes, nostrils, brows) as they are; a pixel is then kept no darker
 * than FB_THIN_DARK_DEPTH grey levels below the closing. A faint detail (a wrinkle, a
 * crease) is unchanged, a strong thin one keeps a faint line. The radius is a fraction
 * of the face width: what is narrower than about twice that is filled. */
#define FB_THIN_DARK_RADIUS_FRACTION 0.01f
#define FB_THIN_DARK_DEPTH 16

/* Which of two values a closing's pass keeps: the larger (the dilation) or the
 * smaller (the erosion). */
FB_FUNC uint8_t
fb_closing_pick (uint8_t a, uint8_t b, int larger)
{
  return larger ? (a > b ? a : b) : (a < b ? a : b);
}

/* Value i of a closing's pass of radius r along a line of n values `step` apart,
 * edge values repeated: the largest (larger) or the smallest of the 2r + 1 around i. */
FB_FUNC uint8_t
fb_closing_pass_value (const uint8_t * line, int step, int n, int i, int r, int larger)
{
  uint8_t v = line[(size_t) fb_clampi (i - r, 0, n - 1) * step];
  int k;

  for (k = i - r + 1; k <= i + r; k++)
    v = fb_closing_pick (v, line[(size_t) fb_clampi (k, 0, n - 1) * step], larger);
  return v;
}

/* The luma with a thin dark detail capped, from the luma and its closing. */
FB_FUNC uint8_t
fb_thin_dark_cap (uint8_t luma, uint8_t closed)
{
  int floor = (int) closed - FB_THIN_DARK_DEPTH;

  return (uint8_t) ((int) luma > floor ? luma : floor);
}
