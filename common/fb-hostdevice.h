/* faceblit — lets one header of per-pixel functions compile for C, C++ and nvcc.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define FB_FUNC static inline __host__ __device__
#else
#define FB_FUNC static inline
#endif
