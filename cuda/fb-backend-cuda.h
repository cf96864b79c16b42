/* faceblit — the CUDA backend on any FbDevice: the real GPU, or in the tests the
 * emulated one that runs the kernels on the CPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-backend.h"
#include "fb-device.h"

G_BEGIN_DECLS

/* Takes the device. n_threads: the CPU threads of what still runs on the host, the
 * MLS control solve per field node; <= 0: one per core. */
FbBackend *fb_backend_cuda_new_for_device (FbDevice * device, int n_threads);

G_END_DECLS
