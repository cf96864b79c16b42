/* faceblit — read and write regions of a video frame in any supported format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-geometry.h"
#include "fb-image.h"
#include "fb-workers.h"

G_BEGIN_DECLS

typedef enum {
  FB_FORMAT_RGBA, FB_FORMAT_BGRA, FB_FORMAT_ARGB, FB_FORMAT_ABGR,
  FB_FORMAT_RGBX, FB_FORMAT_BGRX, FB_FORMAT_XRGB, FB_FORMAT_XBGR,
  FB_FORMAT_RGB, FB_FORMAT_BGR,
  FB_FORMAT_I420, FB_FORMAT_NV12,
} FbFormat;

/* How YUV formats encode colour (ignored for RGB formats). */
typedef enum {
  FB_YUV_BT601_LIMITED, FB_YUV_BT601_FULL,
  FB_YUV_BT709_LIMITED, FB_YUV_BT709_FULL,
} FbYuvMatrix;

/* Where a frame's planes are. */
typedef enum {
  FB_MEMORY_HOST,
  FB_MEMORY_CUDA,               /* device addresses (CUdeviceptr) of the CUDA backend's GPU */
} FbMemory;

/* A mapped frame: planes and strides as GstVideoFrame gives them. Only the CUDA backend
 * takes frames in FB_MEMORY_CUDA. */
typedef struct {
  FbFormat format;
  FbYuvMatrix matrix;
  int width;
  int height;
  uint8_t *planes[3];
  int strides[3];
  FbMemory memory;
} FbFrame;

/* Copies `rect` (must lie inside the frame) into rgb (resized to rect, 3 channels). */
void fb_frame_read_rgb (const FbFrame * frame, FbRect rect, FbImage ** rgb);

/* Blends rgb over `rect` with per-pixel alpha (1 channel, 0 = keep frame, 255 = replace).
 * Pixels whose alpha is 0 are left bit-exact; for subsampled chroma a chroma sample
 * changes only if one of the luma pixels it covers has alpha > 0. Alpha bytes of
 * 4-byte formats are kept. */
void fb_frame_blend_rgb (FbFrame * frame, FbRect rect, const FbImage * rgb,
    const FbImage * alpha);

/* Luma (0..255, full range) of the whole frame, 1 channel, resized to the frame; row
 * bands split across the workers. */
void fb_frame_read_luma (FbWorkers * workers, const FbFrame * frame, FbImage ** luma);

/* A red 3 x 3 dot on each point (frame pixels) wholly inside the frame. */
void fb_frame_mark_points (FbFrame * frame, const FbPoint * points, int n);

G_END_DECLS
