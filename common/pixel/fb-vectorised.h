/* faceblit — marks functions whose loops are written for the auto-vectoriser.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* x86-64's baseline SSE2 lacks the byte shuffles that 3-byte pixels need and has half
 * AVX2's width for sums of float vectors: an AVX2 copy of the function, picked at load
 * time (an ifunc), runs such loops 2-4 times faster. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__) && !defined(__clang__)
#define FB_VECTORISED __attribute__((target_clones ("avx2", "default")))
#else
#define FB_VECTORISED
#endif
