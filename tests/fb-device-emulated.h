/* faceblit — an FbDevice in host memory that runs the CUDA kernels compiled as C++, so
 * that the CUDA backend runs, and can be compared with the CPU backend, where there is
 * no GPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-device.h"

G_BEGIN_DECLS

/* fail_after_launches >= 0: that many launches succeed, then every launch fails (as a
 * lost GPU would); -1: none fails. */
FbDevice *fb_device_emulated_new (int fail_after_launches);
/* Bytes allocated and not released. */
gsize fb_device_emulated_bytes_in_use (const FbDevice * device);

G_END_DECLS
