/* faceblit — the synthesis' kernels (fb-synthesis-kernels.cuh) and the one argument
 * each takes, by value. Pointers in them are device addresses; the structs of
 * fb-blit.h inside them likewise.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-blit.h"
#include "fb-debug-view.h"
#include "fb-despeckle.h"
#include "fb-geometry.h"

/* One thread per cell of a seed level. */
typedef struct {
  int k;
  FbSeedLevel level;            /* its geometry, seed_xy and seed_u to fill */
  FbSeedLevel previous;         /* the previous frame's same level (its geometry, seed_u) */
  uint32_t *previous_u;         /* NULL: no history */
} FbSeedsArgs;

/* One thread per pixel of the region: which cell holds its nearest seed. */
typedef struct {
  int k;
  int x0;                       /* the region, absolute canonical pixels */
  int y0;
  int width;
  int height;
  uint8_t *map;                 /* width x height */
} FbNearestArgs;

/* One thread per pixel of this frame's synthesis region. */
typedef struct {
  const int32_t *prev_nnf;
  const float *prev_settled;
  FbRect prev_region;
  FbRect region;
  int32_t *previous;
  float *previous_settled;
} FbHistoryArgs;

/* One thread per pixel of the synthesis region. */
typedef struct {
  FbBlitStyle style;
  FbBlitTarget target;
  FbSeedLevel levels[FB_BLIT_MAX_LEVELS];
  int n_levels;
  int32_t *nnf;
  float *settled_out;
} FbNnfArgs;

/* One thread per pixel of the synthesis region: one pass of the despeckling. */
typedef struct {
  const int32_t *in;
  int32_t *out;
  int width;
  int height;
  int style_width;
  int style_height;
} FbDespeckleArgs;

/* One thread per output pixel (fb_vote_kernel) or per coarse cell of a half-resolution
 * NNF (fb_vote_upsampled_kernel). */
typedef struct {
  FbBlitStyle style;
  FbBlitTarget target;          /* at the output resolution */
  const int32_t *nnf;
  int radius;
  uint8_t *out;                 /* 3 channels, target-sized, packed */
} FbVoteArgs;

/* One thread per output pixel. */
typedef struct {
  FbDebugSource source;
  int width;
  int height;
  uint8_t *out;                 /* 3 channels, packed */
} FbDebugViewArgs;

#define FB_SYNTHESIS_KERNELS(X) \
  X (fb_seeds_kernel, FbSeedsArgs) \
  X (fb_nearest_kernel, FbNearestArgs) \
  X (fb_history_kernel, FbHistoryArgs) \
  X (fb_nnf_kernel, FbNnfArgs) \
  X (fb_despeckle_kernel, FbDespeckleArgs) \
  X (fb_vote_kernel, FbVoteArgs) \
  X (fb_vote_upsampled_kernel, FbVoteArgs) \
  X (fb_debug_view_kernel, FbDebugViewArgs)
