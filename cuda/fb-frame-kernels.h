/* faceblit — the kernels of the frame: its luma for tracking, compositing the faces
 * into it, the landmark dots (fb-frame-kernels.cuh), and the one argument each takes,
 * by value. The frames in them are FB_MEMORY_CUDA: their planes are device addresses.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-composite-pixel.h"
#include "fb-frame-pixels.h"

/* as FB_N_LANDMARKS, which lives in a glib header */
#define FB_MARK_MAX_POINTS 68

/* One thread per frame pixel. */
typedef struct {
  FbFrame frame;
  uint8_t *luma;                /* width x height, packed */
} FbFrameLumaArgs;

/* One thread per pixel of the patch (fb_composite_packed_kernel) or per chroma sample
 * that it touches (fb_composite_yuv_kernel). */
typedef struct {
  FbFrame frame;
  FbYuvLayout layout;           /* of frame->format (YUV frames) */
  FbYuvCoeffs coeffs;           /* of frame->matrix and the layout's depth */
  FbPatchSampler sampler;
  FbRect patch;                 /* frame pixels, clipped to the frame, not empty */
} FbCompositeArgs;

/* One thread for all the dots: where they overlap in a chroma sample, the order in
 * which they are blended matters, and that is the order of points. */
typedef struct {
  FbFrame frame;
  FbYuvLayout layout;
  FbYuvCoeffs coeffs;
  FbPoint points[FB_MARK_MAX_POINTS];
  int n_points;
} FbMarkArgs;

#define FB_FRAME_KERNELS(X) \
  X (fb_frame_luma_kernel, FbFrameLumaArgs) \
  X (fb_composite_packed_kernel, FbCompositeArgs) \
  X (fb_composite_yuv_kernel, FbCompositeArgs) \
  X (fb_mark_points_kernel, FbMarkArgs)
