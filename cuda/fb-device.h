/* faceblit — the few things the CUDA backend asks of a GPU: memory, copies, kernel
 * launches on one stream. Two implementations: the driver API through
 * gstreamer-cuda-1.0 (fb-device-cuda.c), and host memory with the kernels compiled as
 * C++ (tests/fb-device-emulated.cc), which lets the backend's orchestration run where
 * there is no GPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-kernels.h"

G_BEGIN_DECLS

/* A device address (CUdeviceptr; a host address on the emulated device). 0 = none. */
typedef guint64 FbDevicePtr;

typedef struct FbDevice FbDevice;

/* A grid of blocks of threads, two-dimensional. */
typedef struct {
  guint grid_x, grid_y;
  guint block_x, block_y;
} FbLaunch;

typedef struct {
  void (*free) (FbDevice * device);
  /* 0 when out of memory (error set) */
  FbDevicePtr (*alloc) (FbDevice * device, gsize bytes);
  void (*release) (FbDevice * device, FbDevicePtr ptr);
  /* Host memory may be reused as soon as upload returns; download returns when the
   * bytes are on the host (it waits for the work queued before it). */
  gboolean (*upload) (FbDevice * device, FbDevicePtr dst, const void *src, gsize bytes);
  gboolean (*download) (FbDevice * device, void *dst, FbDevicePtr src, gsize bytes);
  gboolean (*fill) (FbDevice * device, FbDevicePtr dst, guint8 value, gsize bytes);
  /* args: the kernel's one argument, a struct of fb-kernels.h, copied at launch */
  gboolean (*launch) (FbDevice * device, FbKernel kernel, const FbLaunch * launch,
      const void *args, gsize args_size);
  gboolean (*synchronize) (FbDevice * device);
  /* Page-locked host memory, which the device copies to and from at the bus's speed
   * (pageable memory goes through the driver's staging buffers, at a fraction of it).
   * NULL when out of memory (error set). */
  void *(*alloc_host) (FbDevice * device, gsize bytes);
  void (*release_host) (FbDevice * device, void *ptr);
} FbDeviceClass;

struct FbDevice {
  const FbDeviceClass *klass;
  const char *name;             /* for messages: "CUDA device 0 (NVIDIA H200)" */
  GError *error;                /* the first failure, until taken */
};

#define FB_DEVICE_ERROR (fb_device_error_quark ())
GQuark fb_device_error_quark (void);

/* Records the first failure of a device call. */
void fb_device_set_error (FbDevice * device, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* One thread per pixel of a width x height area, in 16 x 16 blocks. */
FbLaunch fb_launch_2d (int width, int height);

/* The real GPU, through gstreamer-cuda-1.0 (which loads the driver at run time).
 * device_id -1: the first one. NULL with error set when there is no driver or device,
 * or the embedded kernels cannot be loaded. */
FbDevice *fb_device_cuda_new (int device_id, GError ** error);

static inline void
fb_device_free (FbDevice * device)
{
  if (device) {
    g_clear_error (&device->error);
    device->klass->free (device);
  }
}

G_END_DECLS
