/* faceblit — the kernels of the frame: its luma for tracking, compositing the faces into it, the landmark dots (fb-frame-kernels.cuh), and the one argument each takes,
 * by value.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define FB_FRAME_KERNELS(X)
