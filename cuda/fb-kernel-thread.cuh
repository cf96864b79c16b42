/* faceblit — what every kernel starts with: its declaration and its pixel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernels.h"

#define FB_KERNEL extern "C" __global__ void

/* This thread's pixel of a 2-D launch; false past the area's right or bottom edge. */
static __device__ inline bool
fb_thread_pixel (int width, int height, int *x, int *y)
{
  *x = (int) (blockIdx.x * blockDim.x + threadIdx.x);
  *y = (int) (blockIdx.y * blockDim.y + threadIdx.y);
  return *x < width && *y < height;
}

/* This thread's value of a packed width x height plane; false past its edges. */
static __device__ inline bool
fb_thread_value (int width, int height, size_t *i)
{
  int x, y;

  if (!fb_thread_pixel (width, height, &x, &y))
    return false;
  *i = (size_t) y * width + x;
  return true;
}
