/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-cuda-emulation.h"

/* The kernels, as C++: this file is their launcher. */
#include "fb-kernels.cu"

#include <string.h>

#include "fb-device-emulated.h"

FbEmulatedDim3 gridDim, blockDim, blockIdx, threadIdx;

/* FB_KERNELS (X) -> a function per kernel that takes its argument from a pointer. */
#define FB_EMULATED_CALL(name, args) \
  static void name##_emulated (const void *a) { name (*static_cast<const args *> (a)); }
FB_KERNELS (FB_EMULATED_CALL)
#undef FB_EMULATED_CALL

#define FB_EMULATED_ENTRY(name, args) { name##_emulated, sizeof (args) },
static const struct {
  void (*call) (const void *args);
  gsize args_size;
} kernels[FB_N_KERNELS] = { FB_KERNELS (FB_EMULATED_ENTRY) };
#undef FB_EMULATED_ENTRY

typedef struct {
  FbDevice parent;
  GHashTable *sizes;            /* address -> bytes */
  gsize bytes_in_use;
  int launches_left;            /* -1: no end */
} FbEmulatedDevice;

static FbEmulatedDevice *
emulated (FbDevice * device)
{
  return reinterpret_cast<FbEmulatedDevice *> (device);
}

static void
emulated_free (FbDevice * device)
{
  FbEmulatedDevice *e = emulated (device);
  GHashTableIter iter;
  gpointer ptr;

  g_hash_table_iter_init (&iter, e->sizes);
  while (g_hash_table_iter_next (&iter, &ptr, NULL))
    g_free (ptr);
  g_hash_table_unref (e->sizes);
  g_free (e);
}

static FbDevicePtr
emulated_alloc (FbDevice * device, gsize bytes)
{
  FbEmulatedDevice *e = emulated (device);
  /* as cuMemAlloc: uninitialised, which a test of uninitialised reads wants to see */
  gpointer p = g_try_malloc (bytes);

  if (!p) {
    fb_device_set_error (device, "out of memory (%" G_GSIZE_FORMAT " bytes)", bytes);
    return 0;
  }
  memset (p, 0xA5, bytes);
  g_hash_table_insert (e->sizes, p, GSIZE_TO_POINTER (bytes));
  e->bytes_in_use += bytes;
  return (FbDevicePtr) (guintptr) p;
}

static void
emulated_release (FbDevice * device, FbDevicePtr ptr)
{
  FbEmulatedDevice *e = emulated (device);
  gpointer p = (gpointer) (guintptr) ptr;

  g_assert (g_hash_table_contains (e->sizes, p));
  e->bytes_in_use -= GPOINTER_TO_SIZE (g_hash_table_lookup (e->sizes, p));
  g_hash_table_remove (e->sizes, p);
  g_free (p);
}

static gboolean
emulated_upload (FbDevice * device, FbDevicePtr dst, const void *src, gsize bytes)
{
  memcpy ((void *) (guintptr) dst, src, bytes);
  return TRUE;
}

static gboolean
emulated_download (FbDevice * device, void *dst, FbDevicePtr src, gsize bytes)
{
  memcpy (dst, (const void *) (guintptr) src, bytes);
  return TRUE;
}

static gboolean
emulated_fill (FbDevice * device, FbDevicePtr dst, guint8 value, gsize bytes)
{
  memset ((void *) (guintptr) dst, value, bytes);
  return TRUE;
}

static gboolean
emulated_launch (FbDevice * device, FbKernel kernel, const FbLaunch * l, const void *args,
    gsize args_size)
{
  FbEmulatedDevice *e = emulated (device);
  unsigned int bx, by, tx, ty;

  g_assert (args_size == kernels[kernel].args_size);
  if (e->launches_left == 0) {
    fb_device_set_error (device, "CuLaunchKernel (%s): forced failure",
        fb_kernel_names[kernel]);
    return FALSE;
  }
  if (e->launches_left > 0)
    e->launches_left--;
  gridDim = { l->grid_x, l->grid_y, 1 };
  blockDim = { l->block_x, l->block_y, 1 };
  for (by = 0; by < l->grid_y; by++)
    for (bx = 0; bx < l->grid_x; bx++)
      for (ty = 0; ty < l->block_y; ty++)
        for (tx = 0; tx < l->block_x; tx++) {
          blockIdx = { bx, by, 0 };
          threadIdx = { tx, ty, 0 };
          kernels[kernel].call (args);
        }
  return TRUE;
}

static gboolean
emulated_synchronize (FbDevice * device)
{
  return TRUE;
}

/* Host memory is host memory here; counted with the device's, so that a test sees it
 * given back too. */
static void *
emulated_alloc_host (FbDevice * device, gsize bytes)
{
  return (void *) (guintptr) emulated_alloc (device, bytes);
}

static void
emulated_release_host (FbDevice * device, void *ptr)
{
  if (ptr)
    emulated_release (device, (FbDevicePtr) (guintptr) ptr);
}

static const FbDeviceClass emulated_class = {
  emulated_free, emulated_alloc, emulated_release, emulated_upload, emulated_download,
  emulated_fill, emulated_launch, emulated_synchronize, emulated_alloc_host,
  emulated_release_host,
};

FbDevice *
fb_device_emulated_new (int fail_after_launches)
{
  FbEmulatedDevice *e = g_new0 (FbEmulatedDevice, 1);

  e->parent.klass = &emulated_class;
  e->parent.name = "emulated CUDA device";
  e->sizes = g_hash_table_new (g_direct_hash, g_direct_equal);
  e->launches_left = fail_after_launches;
  return &e->parent;
}

gsize
fb_device_emulated_bytes_in_use (const FbDevice * device)
{
  return reinterpret_cast<const FbEmulatedDevice *> (device)->bytes_in_use;
}
