/* faceblit — the lighting option's arithmetic (issue 9, section 3) one sample or pixel
 * at a time, for the CPU (fb-lighting.c) and the CUDA kernels alike: the coverage-
 * weighted luma of the target and of the stylized output at the coverage's resolution,
 * the gain of each coverage sample, and the gain applied to an output pixel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-composite-pixel.h"
#include "fb-frame-pixels.h"

/* Gains are 4.12 fixed point. */
#define FB_LIGHTING_ONE 4096
/* A shadow in the target may darken the stylized face to a quarter and light may
 * brighten it four times, no more: beyond, the gain would mostly amplify where the
 * exemplar is dark for other reasons (its hair over the forehead, a deep shadow of
 * its own), and the strokes would burn out. */
#define FB_LIGHTING_GAIN_MIN (FB_LIGHTING_ONE / 4)
#define FB_LIGHTING_GAIN_MAX (FB_LIGHTING_ONE * 4)
/* The lighting property in fixed point: 256 is 1. */
#define FB_LIGHTING_FULL 256
/* The ratio of the two faces' mean lumas is 16.16 fixed point, within 1/16 .. 16. */
#define FB_LIGHTING_RATIO_ONE 65536

/* What the lighting samples at the coverage's resolution, as plain data (host or device
 * addresses). */
typedef struct {
  const uint8_t *luma;          /* the target's, synthesis-region-sized */
  int luma_stride;
  int luma_width;
  int luma_height;
  const uint8_t *colours;       /* the stylized output, 3 channels, region-sized */
  int colours_stride;
  int colours_width;
  int colours_height;
  const uint8_t *coverage;      /* the feathered mask */
  int coverage_stride;
  int coverage_shift;           /* coverage samples per synthesis pixel: 1 / 2^shift */
  int synthesis_shift;          /* output pixels per synthesis pixel: 2^shift */
} FbLightingSamples;

/* The mean luma (Rec.601, as the frame's) of the block of image pixels that coverage
 * sample (i, j) stands for, the image at 2^shift times the coverage's resolution:
 * the mean, not the middle pixel, so that the strokes and the skin's texture do not
 * alias into the shading. channels: 1 (luma) or 3 (RGB). */
FB_FUNC uint8_t
fb_lighting_block_luma (const uint8_t * image, int stride, int width, int height,
    int channels, int shift, int i, int j)
{
  int x0 = i << shift, y0 = j << shift, x, y;
  int x1 = x0 + (1 << shift) < width ? x0 + (1 << shift) : width;
  int y1 = y0 + (1 << shift) < height ? y0 + (1 << shift) : height;
  uint32_t sum = 0, n = (uint32_t) ((x1 - x0) * (y1 - y0));

  for (y = y0; y < y1; y++) {
    const uint8_t *p = image + (size_t) y * stride + (size_t) x0 * channels;
    for (x = x0; x < x1; x++, p += channels)
      sum += channels == 1 ? p[0] : fb_packed_luma (p, 0, 1, 2);
  }
  return (uint8_t) ((sum + n / 2) / n);
}

/* Coverage sample (i, j)'s luma of the target and of the stylized output, each
 * weighted by the coverage there: the numerators of a blur normalised by the coverage
 * (the coverage's own blur cancels in the gain's ratio, fb_lighting_gain), so that
 * neither the target's backdrop nor the exemplar's hair beyond the face darkens the
 * face's edge. Outside the face both are 0 and nothing is read. */
FB_FUNC void
fb_lighting_sample (const FbLightingSamples * s, int i, int j, uint8_t * target,
    uint8_t * stylized)
{
  uint8_t coverage = s->coverage[(size_t) j * s->coverage_stride + i];

  if (coverage == 0) {
    *target = 0;
    *stylized = 0;
    return;
  }
  *target = fb_div255 ((uint16_t) (coverage * fb_lighting_block_luma (s->luma,
              s->luma_stride, s->luma_width, s->luma_height, 1, s->coverage_shift, i,
              j)));
  *stylized = fb_div255 ((uint16_t) (coverage * fb_lighting_block_luma (s->colours,
              s->colours_stride, s->colours_width, s->colours_height, 3,
              s->coverage_shift + s->synthesis_shift, i, j)));
}

/* The sum of a row of n weighted lumas (fb_lighting_sample), for the faces' means. */
FB_FUNC uint32_t
fb_lighting_row_sum (const uint8_t * row, int n)
{
  uint32_t sum = 0;
  int i;

  for (i = 0; i < n; i++)
    sum += row[i];
  return sum;
}

/* A gain (4.12) clamped to FB_LIGHTING_GAIN_MIN .. MAX. */
FB_FUNC int
fb_lighting_clamp_gain (int64_t gain)
{
  return (int) (gain < FB_LIGHTING_GAIN_MIN ? FB_LIGHTING_GAIN_MIN
      : gain > FB_LIGHTING_GAIN_MAX ? FB_LIGHTING_GAIN_MAX : gain);
}

/* The gain (4.12) of a coverage sample whose weighted lumas, blurred to the face's
 * large scale, are `target` and `stylized` (8.8 fixed point): the target's large-scale
 * luma relative to its mean over the face, divided by the stylized output's relative
 * to its own mean. level_ratio (16.16) is the stylized face's mean luma over the
 * target's (fb_lighting_level_ratio): the stylized face keeps its overall tone and
 * takes on the target's light and shadow. Clamped to FB_LIGHTING_GAIN_MIN .. MAX, then
 * moved towards 1 by lighting (0 .. FB_LIGHTING_FULL) and by the coverage, so that it
 * is exactly 1 outside the face and at lighting 0. */
FB_FUNC uint16_t
fb_lighting_gain (uint16_t target, uint16_t stylized, uint32_t level_ratio,
    uint8_t coverage, int lighting)
{
  uint64_t divisor = stylized > 0 ? stylized : 1;
  uint64_t ratio = ((uint64_t) target * level_ratio + divisor / 2) / divisor;
  int gain = fb_lighting_clamp_gain ((int64_t) ((ratio + 8) >> 4));

  return (uint16_t) (FB_LIGHTING_ONE + (gain - FB_LIGHTING_ONE) * lighting * coverage
      / (FB_LIGHTING_FULL * 255));
}

/* Two gains applied one after the other, as one (4.12, within the lighting's clamp). */
FB_FUNC uint16_t
fb_lighting_gains_product (uint16_t a, uint16_t b)
{
  return (uint16_t) fb_lighting_clamp_gain (((uint32_t) a * b + FB_LIGHTING_ONE / 2)
      >> 12);
}

/* Coverage sample k's gains: the lighting's `gain`, times the backdrop's tone gains
 * where a painted background has them (tone_gains: 3 planes of `plane` samples, one per
 * channel, fb_backdrop_tone_gains; the gains then are 3 planes too), else one plane. */
FB_FUNC void
fb_lighting_gains_for_tone (uint16_t gain, const uint16_t * tone_gains, size_t plane,
    size_t k, uint16_t * gains)
{
  int c;

  if (!tone_gains) {
    gains[k] = gain;
    return;
  }
  for (c = 0; c < 3; c++)
    gains[k + c * plane] = fb_lighting_gains_product (gain, tone_gains[k + c * plane]);
}

/* A gain map's bilinear mix (fb_bilinear_mix's, the same integer) in two steps: each
 * of the cell's two columns mixed down its rows (fb_lighting_gain_column, 8 bits of
 * weight kept), then the two across (fb_lighting_gain_across). A row of output pixels
 * shares its rows' weight and each cell's columns, so the relight mixes them once a
 * cell, not once a pixel. */
FB_FUNC int
fb_lighting_gain_column (const uint16_t * top, int below, int wy)
{
  return top[0] * (256 - wy) + top[below] * wy;
}

FB_FUNC int
fb_lighting_gain_across (int left, int right, int wx)
{
  return (left * (256 - wx) + right * wx + 32768) >> 16;
}

/* The gain map (width x height, the coverage's geometry: 1 / 2^shift of the output's
 * resolution) at output pixel (x, y), bilinear: the cell it reads. */
FB_FUNC FbBilinearCell
fb_lighting_gain_cell (int width, int height, int shift, int x, int y)
{
  return fb_bilinear_cell (width, height, 1, width,
      fb_coverage_position (x * FB_PATCH_ONE, shift),
      fb_coverage_position (y * FB_PATCH_ONE, shift));
}

FB_FUNC int
fb_lighting_gain_at (const uint16_t * gains, int width, int height, int shift, int x,
    int y)
{
  FbBilinearCell c = fb_lighting_gain_cell (width, height, shift, x, y);
  const uint16_t *p = gains + c.offset;

  return fb_lighting_gain_across (fb_lighting_gain_column (p, c.below, c.wy),
      fb_lighting_gain_column (p + c.right, c.below, c.wy), c.wx);
}

/* How much of a brightening by `lift` levels a value with `headroom` levels left below
 * white takes: lift * headroom / sqrt (lift^2 + headroom^2), nearly all of it where
 * there is room (98 % of 30 levels with 155 left) and never up to white. Multiplied as
 * it is, the light would clip the exemplar's highlights (a channel at 255 in 13 % of
 * Grace Hopper's face in the oil style at lighting 1) and burn out the strokes there.
 * The operands are integers below 2^24, exact in floats, and the square root and the
 * quotient are correctly rounded on the CPU and the GPU alike. A lift of 0 takes 0
 * (its divisor is made 1, not 0, for a headroom of 0 too). */
FB_FUNC int
fb_lighting_lift (int lift, int headroom)
{
  return (int) ((float) (lift * headroom) / sqrtf ((float) (lift * lift
              + headroom * headroom + (lift == 0))));
}

/* A channel's value times a gain (4.12), a brightening eased below white
 * (fb_lighting_lift); a gain of exactly 1 leaves it as it is. Without a branch, the
 * lift computed (as 0) for a darkening too, so that the CPU's loops of it vectorise
 * (fb-lighting.c relight_row): the same value as the branch's. */
FB_FUNC uint8_t
fb_lighting_channel (int value, int gain)
{
  int v = (value * gain + FB_LIGHTING_ONE / 2) >> 12;
  int brighter = v > value;

  return (uint8_t) (v + brighter * (value + fb_lighting_lift ((v - value) * brighter,
              255 - value) - v));
}

/* Output pixel (x, y)'s colour relit by the gain maps there (fb_lighting_channel):
 * channel k's at gains + k plane (plane 0: one map for every channel, the lighting's
 * alone); not even written where every gain is exactly 1 (outside the face). */
FB_FUNC void
fb_lighting_pixel (const uint16_t * gains, size_t plane, int gains_width,
    int gains_height, int shift, int x, int y, uint8_t * rgb)
{
  int gain[3], k;

  /* one map looked up once */
  for (k = 0; k < 3; k++)
    gain[k] = k > 0 && plane == 0 ? gain[0] : fb_lighting_gain_at (gains + k * plane,
        gains_width, gains_height, shift, x, y);
  if (gain[0] == FB_LIGHTING_ONE && gain[1] == FB_LIGHTING_ONE
      && gain[2] == FB_LIGHTING_ONE)
    return;
  for (k = 0; k < 3; k++)
    rgb[k] = fb_lighting_channel (rgb[k], gain[k]);
}
