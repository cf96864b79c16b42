/* faceblit — the kernels of the guides: luma resampled into canonical space, appearance guide, face mask, histogram matching, positional guide.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"
