/* faceblit — the lighting option in kernels (fb-lighting-kernels.cuh), step for step as
 * fb_face_lighting_apply makes it on the CPU: the weighted lumas and their rows' sums,
 * the two blurs, the gains and the relit output. The rows' sums come back to the host
 * for the ratio of the faces' means (fb_lighting_level_ratio).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-backend.h"
#include "fb-device.h"

G_BEGIN_DECLS

/* The lighting's working memory on the device. */
typedef enum {
  FB_CUDA_LIGHTING_TARGET,      /* the weighted lumas, coverage-sized */
  FB_CUDA_LIGHTING_STYLIZED,
  FB_CUDA_LIGHTING_TARGET_BLURRED,      /* their blurs, 8.8 */
  FB_CUDA_LIGHTING_STYLIZED_BLURRED,
  FB_CUDA_LIGHTING_SPARE,       /* the blurs' other plane */
  FB_CUDA_LIGHTING_GAINS,
  FB_CUDA_LIGHTING_ROW_SUMS,
  FB_CUDA_LIGHTING_N_WORK
} FbCudaLightingWork;

/* What the lighting reads and changes on the device, and its working memory (sized by
 * fb_cuda_lighting_sizes). Packed: the luma a synthesis-region row a row, the output 3
 * bytes a pixel, the coverage plan->coverage_width a row. */
typedef struct {
  FbDevicePtr luma;
  FbDevicePtr coverage;
  FbDevicePtr tone_gains;       /* the backdrop's, coverage-sized; 0: none */
  FbDevicePtr output;
  FbDevicePtr work[FB_CUDA_LIGHTING_N_WORK];
} FbCudaLightingMemory;

/* What the lighting keeps on the host from frame to frame. */
typedef struct {
  uint32_t *row_sums;
  gsize rows_capacity;
} FbCudaLightingHost;

/* How many bytes each of the working buffers needs: none at lighting 0. */
void fb_cuda_lighting_sizes (const FbFacePlan * plan, gsize sizes[FB_CUDA_LIGHTING_N_WORK]);

/* Multiplies the output by the gain map and the backdrop's tone gains (plan->lighting
 * > 0 or memory->tone_gains); level_ratio as for fb_face_lighting_apply. FALSE with the device's error set when a device call fails. */
gboolean fb_cuda_lighting_apply (FbDevice * device, const FbFacePlan * plan,
    const FbCudaLightingMemory * memory, FbCudaLightingHost * host,
    uint32_t * level_ratio);

void fb_cuda_lighting_host_clear (FbCudaLightingHost * host);

G_END_DECLS
