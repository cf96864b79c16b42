/* faceblit — the CUDA backend on the real GPU (in a build without CUDA,
 * fb-device-nocuda.c's device is never there).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend-cuda.h"

FbBackend *
fb_backend_cuda_new (int device_id, int n_threads, GError ** error)
{
  FbDevice *device = fb_device_cuda_new (device_id, error);

  return device ? fb_backend_cuda_new_for_device (device, n_threads) : NULL;
}
