/* faceblit — every CUDA kernel, by name, with the one struct it takes as argument.
 * Kernels compute an index and call the per-pixel functions of common/ (the CPU
 * backend's own), so each formula exists once.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-frame-kernels.h"
#include "fb-guide-kernels.h"
#include "fb-lighting-kernels.h"
#include "fb-synthesis-kernels.h"

/* X (name, argument type): every kernel of cuda/fb-kernels.cu. */
#define FB_KERNELS(X) FB_FRAME_KERNELS (X) FB_GUIDE_KERNELS (X) \
  FB_LIGHTING_KERNELS (X) FB_SYNTHESIS_KERNELS (X)

typedef enum {
#define FB_KERNEL_ENUM(name, args) FB_KERNEL_ID_##name,
  FB_KERNELS (FB_KERNEL_ENUM)
#undef FB_KERNEL_ENUM
  FB_N_KERNELS
} FbKernel;

#ifdef __cplusplus
extern "C" {
#endif
/* "fb_nnf_kernel", ...: the symbols in the fatbin */
extern const char *const fb_kernel_names[FB_N_KERNELS];
#ifdef __cplusplus
}
#endif
