/* faceblit — what nvcc gives the kernels of cuda/fb-kernels.cu, for compiling them as
 * C++ and running them on the CPU: each launch loops over every block and thread, one
 * after the other. The kernels are thin (an index, then the per-pixel functions of
 * common/), use no shared memory and no barriers, so that is how the GPU runs them
 * too, in some order.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifdef __CUDACC__
#error "for C++ compilers only: nvcc has the real thing"
#endif

#define __global__
#define __device__
#define __host__

struct FbEmulatedDim3 {
  unsigned int x, y, z;
};

/* the launch being run, and which of its threads is running */
extern FbEmulatedDim3 gridDim, blockDim, blockIdx, threadIdx;

/* Threads run one after the other: an atomic add is a plain one. */
static inline unsigned int
atomicAdd (unsigned int *address, unsigned int value)
{
  unsigned int old = *address;

  *address = old + value;
  return old;
}
