/* faceblit — the kernels of the guides: luma resampled into canonical space, its thin
 * dark details capped, appearance guide, face mask, histogram matching, positional guide, a painted background's
 * appearance guide (fb-guide-kernels.cuh), and
 * the one argument each takes, by value. Pointers in them are device addresses.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-geometry.h"
#include "fb-mask-pixel.h"

/* Pixels of a row that one thread of fb_resample_kernel resamples: it sums its way to
 * the first of them along the row. */
#define FB_RESAMPLE_SPAN 16

/* One thread per FB_RESAMPLE_SPAN pixels of a row of the region. */
typedef struct {
  const uint8_t *frame;         /* the frame's luma, packed */
  int frame_width;
  int frame_height;
  FbSimilarity to_frame;
  FbRect region;
  uint8_t *luma;                /* region-sized, packed */
} FbResampleArgs;

/* One thread per value of a width x height plane, packed. */
typedef struct {
  const uint8_t *src;
  uint16_t *dst;                /* 8.8 fixed point */
  int width;
  int height;
} FbBlurWidenArgs;

/* One thread per value: a box pass of `radius` down the columns (vertical) or along
 * the rows. */
typedef struct {
  const uint16_t *src;
  uint16_t *dst;
  int width;
  int height;
  int radius;
  int vertical;
} FbBoxPassArgs;

/* One thread per value: a pass of the closing that caps thin dark details
 * (fb_closing_pass_value), of `radius` down the columns (vertical) or along the rows,
 * keeping the largest value (larger) or the smallest. */
typedef struct {
  const uint8_t *src;
  uint8_t *dst;
  int width;
  int height;
  int radius;
  int vertical;
  int larger;
} FbClosingPassArgs;

/* One thread per value: the closing's last pass (the smallest of `radius` down the
 * columns of eroded_rows) and fb_thin_dark_cap of luma by it. */
typedef struct {
  const uint8_t *luma;
  const uint8_t *eroded_rows;
  uint8_t *out;
  int width;
  int height;
  int radius;
} FbThinDarkCapArgs;

/* One thread per value: the feathered mask from its blur in 8.8 fixed point
 * (fb_coverage_narrow_kernel), or the appearance guide of luma and its blur
 * (fb_appearance_kernel, which reads `luma`). */
typedef struct {
  const uint8_t *luma;
  const uint16_t *blur;
  uint8_t *out;
  int width;
  int height;
} FbBlurNarrowArgs;

/* One thread per mask row y0 + j, j < rows. */
typedef struct {
  FbPoint outline[FB_FACE_OUTLINE_POINTS];      /* in mask pixels */
  int y0;
  int rows;
  int width;
  float *delta;                 /* width + 2 per row */
  uint8_t *mask;                /* width a row */
} FbFaceMaskArgs;

/* One thread per coverage sample: counts the guide's values inside the face. */
typedef struct {
  const uint8_t *coverage;      /* packed */
  int coverage_width;
  int coverage_height;
  int shift;
  const uint8_t *guide;         /* packed */
  int guide_width;
  int guide_height;
  uint32_t *counts;             /* 256, zeroed */
} FbFaceHistogramArgs;

/* One thread per pixel: image = lut[image]. */
typedef struct {
  const uint8_t *lut;
  uint8_t *image;
  int width;
  int height;
} FbLutArgs;

/* One thread per pixel of the region: the MLS field between its nodes, folded into the
 * style's corners beyond it (fold); the thread of a coverage sample's pixel also makes
 * its fb_backdrop_tone_gains, before folding (tone_gains, else NULL). */
typedef struct {
  const FbPoint *nodes;
  int cols;
  int spacing;
  int width;
  int height;
  int fold;
  int style_width;
  int style_height;
  float corner_size;
  int corner;
  float *pos;                   /* 2 per pixel */
  const uint8_t *tone;          /* the style level's, 3 channels, tone_stride a row */
  int tone_stride;
  int border_tone[3];
  int coverage_shift;
  int coverage_width;
  uint16_t *tone_gains;         /* 3 planes of tone_plane */
  size_t tone_plane;
} FbPositionalArgs;

/* One thread per pixel of the region: fb_background_appearance. */
typedef struct {
  uint8_t *app;                 /* region-sized, packed */
  const float *pos;             /* 2 per pixel */
  const uint8_t *coverage;      /* packed */
  int coverage_width;
  int coverage_height;
  int coverage_shift;
  const uint8_t *style_guide;
  int style_stride;
  int style_width;
  int style_height;
  int width;
  int height;
} FbBackgroundAppearanceArgs;

#define FB_GUIDE_KERNELS(X) \
  X (fb_resample_kernel, FbResampleArgs) \
  X (fb_blur_widen_kernel, FbBlurWidenArgs) \
  X (fb_box_pass_kernel, FbBoxPassArgs) \
  X (fb_closing_pass_kernel, FbClosingPassArgs) \
  X (fb_thin_dark_cap_kernel, FbThinDarkCapArgs) \
  X (fb_coverage_narrow_kernel, FbBlurNarrowArgs) \
  X (fb_appearance_kernel, FbBlurNarrowArgs) \
  X (fb_face_mask_kernel, FbFaceMaskArgs) \
  X (fb_face_histogram_kernel, FbFaceHistogramArgs) \
  X (fb_lut_kernel, FbLutArgs) \
  X (fb_positional_kernel, FbPositionalArgs) \
  X (fb_background_appearance_kernel, FbBackgroundAppearanceArgs)
