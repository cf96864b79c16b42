/* faceblit — the CUDA backend's frame on the device: the kernels' arguments for its
 * luma, compositing and landmark dots, and the rows of a host frame's copy to take
 * back.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-backend.h"
#include "fb-device.h"

G_BEGIN_DECLS

/* This frame on the device, and what the faces changed of it. */
typedef struct {
  FbFrame frame;                /* FB_MEMORY_CUDA: the host frame's copy, or the frame */
  int changed_y0;               /* rows [changed_y0, changed_y1) */
  int changed_y1;
} FbCudaFrame;

/* Takes `frame` (already on the device): nothing changed yet. */
void fb_cuda_frame_begin (FbCudaFrame * f, const FbFrame * frame);

/* What blends `source` (its images' data are device addresses, packed) over `patch`
 * (frame pixels) of the frame, and records the rows it changes. FALSE when the patch
 * misses the frame. */
gboolean fb_cuda_frame_composite (FbCudaFrame * f, const FbPatchSource * source,
    FbRect patch, FbKernel * kernel, FbCompositeArgs * args, FbLaunch * geometry);

/* What draws the landmark dots of `lm`, and records the rows they change. */
void fb_cuda_frame_mark (FbCudaFrame * f, const FbLandmarks * lm, FbMarkArgs * args,
    FbLaunch * geometry);

/* Downloads into `host` (the frame f copies) the rows the faces changed. */
gboolean fb_cuda_frame_download_changes (const FbCudaFrame * f, FbDevice * device,
    FbFrame * host);

G_END_DECLS
