/* faceblit — the kernels of the lighting option (fb-lighting-kernels.cuh) and the one
 * argument each takes, by value. Pointers in them are device addresses.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-lighting-pixel.h"

/* One thread per coverage sample: fb_lighting_sample into two packed planes. */
typedef struct {
  FbLightingSamples samples;
  int width;                    /* the coverage's */
  int height;
  uint8_t *target;
  uint8_t *stylized;
} FbLightingSampleArgs;

/* One thread per row of the two planes: their sums, the target's then the stylized
 * output's. */
typedef struct {
  const uint8_t *target;
  const uint8_t *stylized;
  int width;
  int height;
  uint32_t *row_sums;           /* 2 per row */
} FbLightingRowSumsArgs;

/* One thread per coverage sample: fb_lighting_gain of the two planes' blurs, times the
 * backdrop's tone gains (tone_gains, 3 planes of width x height, else NULL: then one
 * plane of gains). */
typedef struct {
  const uint16_t *target;       /* 8.8, packed */
  const uint16_t *stylized;
  const uint8_t *coverage;      /* packed */
  int width;
  int height;
  uint32_t level_ratio;
  int lighting;
  const uint16_t *tone_gains;
  uint16_t *gains;
} FbLightingGainArgs;

/* One thread per output pixel: fb_lighting_pixel. */
typedef struct {
  const uint16_t *gains;        /* the coverage's geometry */
  size_t plane;                 /* between the channels' gains; 0: one for all */
  int gains_width;
  int gains_height;
  int shift;                    /* the gains' resolution: 1 / 2^shift of the output's */
  uint8_t *colours;             /* 3 channels, packed */
  int width;
  int height;
} FbLightingApplyArgs;

#define FB_LIGHTING_KERNELS(X) \
  X (fb_lighting_sample_kernel, FbLightingSampleArgs) \
  X (fb_lighting_row_sums_kernel, FbLightingRowSumsArgs) \
  X (fb_lighting_gain_kernel, FbLightingGainArgs) \
  X (fb_lighting_apply_kernel, FbLightingApplyArgs)
