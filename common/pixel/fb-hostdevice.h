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

/* Relaxed 32-bit loads and stores for values that threads may fill in concurrently
 * with identical results (lazily computed entries). */
#if defined(__CUDACC__)
#define FB_LOAD_U32(p) (*(volatile const uint32_t *) (p))
#define FB_STORE_U32(p, v) (*(volatile uint32_t *) (p) = (v))
#else
#define FB_LOAD_U32(p) __atomic_load_n ((p), __ATOMIC_RELAXED)
#define FB_STORE_U32(p, v) __atomic_store_n ((p), (v), __ATOMIC_RELAXED)
#endif
