/* faceblit — fb_device_cuda_new on the emulated device, so that the real-device test
 * (test-cuda-device.c) runs, the same program, where there is no GPU.
 * FACEBLIT_CUDA_FAIL_AFTER forces failures as on the real device.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "fb-device.h"
#include "fb-device-emulated.h"

FbDevice *
fb_device_cuda_new (int device_id, GError ** error)
{
  const char *fail_after = g_getenv ("FACEBLIT_CUDA_FAIL_AFTER");

  return fb_device_emulated_new (fail_after ? atoi (fail_after) : -1);
}
