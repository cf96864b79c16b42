/* faceblit — the kernels of the guides: luma resampled into canonical space, appearance guide, face mask, histogram matching, positional guide (fb-guide-kernels.cuh), and the one argument each takes,
 * by value.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define FB_GUIDE_KERNELS(X)
