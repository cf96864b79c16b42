/* faceblit — a face's guides in kernels (fb-guide-kernels.cuh), step for step as
 * fb_face_guides_build makes them on the CPU: the frame's luma resampled into the
 * synthesis region, its thin dark details capped, its appearance guide, the feathered face mask (coverage), the
 * histogram matching, the MLS positional guide and a painted background's appearance
 * guide. What is small stays on the host: the
 * MLS field's nodes (on FbWorkers, while the device resamples and blurs), the mask's
 * outline, and the histogram matching's table, made from the device's counts.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-backend.h"
#include "fb-guide.h"
#include "fb-device.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* The guides' working memory on the device. */
typedef enum {
  FB_CUDA_GUIDES_LUMA,          /* the frame's luma in the synthesis region */
  FB_CUDA_GUIDES_DETAIL_LUMA,   /* the luma with thin dark details capped */
  FB_CUDA_GUIDES_PLANE_A,       /* the blurs' 8.8 fixed-point planes */
  FB_CUDA_GUIDES_PLANE_B,
  FB_CUDA_GUIDES_MASK_DELTA,    /* the mask's rows of coverage changes */
  FB_CUDA_GUIDES_COUNTS,        /* the face's histogram */
  FB_CUDA_GUIDES_LUT,           /* the histogram matching's table */
  FB_CUDA_GUIDES_NODES,         /* the MLS field's nodes */
  FB_CUDA_GUIDES_N_WORK
} FbCudaGuidesWork;

/* Where the guides go on the device, and their working memory. */
typedef struct {
  FbDevicePtr pos;              /* G_pos: 2 floats per pixel of the synthesis region */
  FbDevicePtr app;              /* G_app: 1 byte per pixel */
  FbDevicePtr coverage;         /* the feathered mask, plan->coverage_* geometry, packed */
  FbDevicePtr style_guide;      /* the synthesis level's appearance guide, its geometry */
  FbDevicePtr style_tone;       /* the synthesis level's tone, its geometry */
  FbDevicePtr tone_gains;       /* the backdrop's, coverage-sized (plan->backdrop_tone) */
  FbDevicePtr work[FB_CUDA_GUIDES_N_WORK];
} FbCudaGuidesMemory;

/* How many bytes each of FbCudaGuidesMemory's buffers needs. */
typedef struct {
  gsize pos;
  gsize app;
  gsize coverage;
  gsize work[FB_CUDA_GUIDES_N_WORK];
} FbCudaGuidesSizes;

/* What the guides keep on the host from frame to frame. */
typedef struct {
  FbPoint *nodes;               /* the MLS field's nodes */
  gsize nodes_capacity;
} FbCudaGuidesHost;

FbCudaGuidesSizes fb_cuda_guides_sizes (const FbFacePlan * plan);

/* Queues the guides' kernels on the device, memory sized by fb_cuda_guides_sizes.
 * frame_luma: the frame's full-range luma on the device, packed. FALSE with the
 * device's error set when a device call fails. */
gboolean fb_cuda_guides_build (FbDevice * device, FbWorkers * workers,
    const FbFacePlan * plan, FbDevicePtr frame_luma, int frame_width, int frame_height,
    const FbCudaGuidesMemory * memory, FbCudaGuidesHost * host);

void fb_cuda_guides_host_clear (FbCudaGuidesHost * host);

/* fb_blur's box passes (radii: fb_blur_radii's) over a packed width x height plane of
 * bytes, through two planes of as many 16-bit values: leaves its 8.8 result, what
 * fb_blur_fixed gives, in `plane`. */
gboolean fb_cuda_blur_fixed (FbDevice * device, FbDevicePtr bytes, FbDevicePtr plane,
    FbDevicePtr spare, int width, int height, const int radii[FB_BLUR_PASSES]);

G_END_DECLS
