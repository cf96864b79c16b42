/* faceblit — the CUDA backend on the real GPU (fb-backend-nocuda.c stands in for this
 * file in a build without CUDA).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend-cuda.h"

FbBackend *
fb_backend_cuda_new (int device_id, int n_threads, GError ** error)
{
  FbDevice *device = fb_device_cuda_new (device_id, error);

  return device ? fb_backend_cuda_new_for_device (device, n_threads) : NULL;
}
