/* faceblit — the GPU of a build without CUDA: never available.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend.h"
#include "fb-device.h"

FbDevice *
fb_device_cuda_new (int device_id, GError ** error)
{
  g_set_error (error, FB_ENGINE_ERROR, FB_ENGINE_ERROR_BACKEND,
      "This build of faceblit has no CUDA backend (it was configured without nvcc or "
      "gstreamer-cuda-1.0; rebuild with meson -Dcuda=enabled).");
  return NULL;
}
