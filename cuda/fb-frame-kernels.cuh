/* faceblit — the kernels of the frame: its luma for tracking, compositing the faces into it, the landmark dots.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"
