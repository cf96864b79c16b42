/* faceblit — FbDevice on a real GPU, through the driver API as gstreamer-cuda-1.0 loads
 * it at run time: the plugin links no CUDA library, so it loads (and runs on the CPU)
 * where there is no driver.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define GST_USE_UNSTABLE_API
#include <gst/cuda/gstcudaloader.h>
#include <gst/cuda/gstcudacontext.h>
#include <gst/cuda/cuda-gst.h>
#include <gmodule.h>

#include "fb-device-cuda.h"
#include "fb-cuda-fatbin.h"


/* 1.22's loader has no memset: we look it up in the driver gstreamer-cuda opened. */
typedef CUresult (CUDAAPI * FbMemsetD8Async) (CUdeviceptr dst, unsigned char value,
    size_t bytes, CUstream stream);

/* A copy's pitch may not exceed CU_DEVICE_ATTRIBUTE_MAX_PITCH (2^31 - 1 on every GPU
 * so far): larger copies go in pieces. */
#define FB_CUDA_COPY_MAX ((gsize) 1 << 30)

typedef struct {
  FbDevice parent;
  GstCudaContext *context;
  CUstream stream;
  CUmodule module;
  CUfunction functions[FB_N_KERNELS];
  GModule *driver;
  FbMemsetD8Async memset_d8_async;
  gint64 fail_after;            /* launches that succeed before a forced failure; -1 */
  gint64 n_launches;
  gchar *name;
} FbCudaDevice;

#define FB_KERNEL_ARGS_SIZE(name, args) sizeof (args),
static const gsize fb_kernel_args_sizes[FB_N_KERNELS] = { FB_KERNELS (FB_KERNEL_ARGS_SIZE) };
#undef FB_KERNEL_ARGS_SIZE

/* Records a failed driver call as "call (detail): CUDA_ERROR_NAME". */
static gboolean
fb_cuda_check (FbCudaDevice * self, CUresult result, const char *call, const char *detail)
{
  const char *name = NULL;
  char unknown[32];

  if (result == CUDA_SUCCESS)
    return TRUE;
  if (CuGetErrorName (result, &name) != CUDA_SUCCESS || !name) {
    g_snprintf (unknown, sizeof (unknown), "CUresult %d", (int) result);
    name = unknown;
  }
  if (detail)
    fb_device_set_error (&self->parent, "%s (%s): %s", call, detail, name);
  else
    fb_device_set_error (&self->parent, "%s: %s", call, name);
  return FALSE;
}

/* Every driver call runs with our context current on the calling thread, whichever
 * thread that is, and leaves the thread's context stack as it found it. */
static gboolean
fb_cuda_push (FbCudaDevice * self)
{
  return fb_cuda_check (self,
      CuCtxPushCurrent ((CUcontext) gst_cuda_context_get_handle (self->context)),
      "CuCtxPushCurrent", NULL);
}

static void
fb_cuda_pop (void)
{
  CUcontext popped;

  CuCtxPopCurrent (&popped);
}

static void
fb_cuda_free (FbDevice * device)
{
  FbCudaDevice *self = (FbCudaDevice *) device;

  if ((self->module || self->stream) && fb_cuda_push (self)) {
    if (self->module)
      CuModuleUnload (self->module);
    if (self->stream)
      CuStreamDestroy (self->stream);
    fb_cuda_pop ();
  }
  g_clear_error (&self->parent.error);
  if (self->driver)
    g_module_close (self->driver);
  gst_object_unref (self->context);
  g_free (self->name);
  g_free (self);
}

static FbDevicePtr
fb_cuda_alloc (FbDevice * device, gsize bytes)
{
  FbCudaDevice *self = (FbCudaDevice *) device;
  CUdeviceptr ptr = 0;
  gboolean ok;

  /* 1.22 declares CuMemAlloc with an unsigned int size. */
  if (bytes > G_MAXUINT) {
    fb_device_set_error (device, "cannot allocate %" G_GSIZE_FORMAT " bytes at once "
        "(gstreamer-cuda 1.22's CuMemAlloc takes at most 4 GiB)", bytes);
    return 0;
  }
  if (!fb_cuda_push (self))
    return 0;
  /* The driver refuses 0 bytes; a 1-byte block lets callers skip the special case. */
  ok = fb_cuda_check (self, CuMemAlloc (&ptr, (unsigned int) MAX (bytes, 1)),
      "CuMemAlloc", NULL);
  fb_cuda_pop ();
  return ok ? (FbDevicePtr) ptr : 0;
}

static void
fb_cuda_release (FbDevice * device, FbDevicePtr ptr)
{
  FbCudaDevice *self = (FbCudaDevice *) device;

  if (!ptr || !fb_cuda_push (self))
    return;
  fb_cuda_check (self, CuMemFree ((CUdeviceptr) ptr), "CuMemFree", NULL);
  fb_cuda_pop ();
}

/* Linear copies as one-row 2D copies: the only ones 1.22's loader offers. Queued on
 * the stream; from pageable memory the driver stages the bytes before it returns. */
static gboolean
fb_cuda_copy (FbCudaDevice * self, FbDevicePtr device_ptr, const void *src_host,
    void *dst_host, gsize bytes)
{
  gsize done, n;
  gboolean ok = TRUE;

  if (!bytes)
    return TRUE;
  if (!fb_cuda_push (self))
    return FALSE;
  for (done = 0; ok && done < bytes; done += n) {
    CUDA_MEMCPY2D copy = { 0 };

    n = MIN (bytes - done, FB_CUDA_COPY_MAX);
    if (src_host) {
      copy.srcMemoryType = CU_MEMORYTYPE_HOST;
      copy.srcHost = (const guint8 *) src_host + done;
      copy.dstMemoryType = CU_MEMORYTYPE_DEVICE;
      copy.dstDevice = (CUdeviceptr) (device_ptr + done);
    } else {
      copy.srcMemoryType = CU_MEMORYTYPE_DEVICE;
      copy.srcDevice = (CUdeviceptr) (device_ptr + done);
      copy.dstMemoryType = CU_MEMORYTYPE_HOST;
      copy.dstHost = (guint8 *) dst_host + done;
    }
    copy.srcPitch = copy.dstPitch = copy.WidthInBytes = n;
    copy.Height = 1;
    ok = fb_cuda_check (self, CuMemcpy2DAsync (&copy, self->stream), "CuMemcpy2DAsync",
        src_host ? "upload" : "download");
  }
  fb_cuda_pop ();
  return ok;
}

static gboolean
fb_cuda_upload (FbDevice * device, FbDevicePtr dst, const void *src, gsize bytes)
{
  return fb_cuda_copy ((FbCudaDevice *) device, dst, src, NULL, bytes);
}

static gboolean
fb_cuda_synchronize (FbDevice * device)
{
  FbCudaDevice *self = (FbCudaDevice *) device;
  gboolean ok;

  if (!fb_cuda_push (self))
    return FALSE;
  ok = fb_cuda_check (self, CuStreamSynchronize (self->stream), "CuStreamSynchronize",
      NULL);
  fb_cuda_pop ();
  return ok;
}

static gboolean
fb_cuda_download (FbDevice * device, void *dst, FbDevicePtr src, gsize bytes)
{
  /* Async into pageable memory may return before the bytes land: wait for them. */
  return fb_cuda_copy ((FbCudaDevice *) device, src, NULL, dst, bytes)
      && fb_cuda_synchronize (device);
}

static gboolean
fb_cuda_fill (FbDevice * device, FbDevicePtr dst, guint8 value, gsize bytes)
{
  FbCudaDevice *self = (FbCudaDevice *) device;
  gboolean ok;

  if (!bytes)
    return TRUE;
  if (!fb_cuda_push (self))
    return FALSE;
  ok = fb_cuda_check (self, self->memset_d8_async ((CUdeviceptr) dst, value, bytes,
          self->stream), "cuMemsetD8Async", NULL);
  fb_cuda_pop ();
  return ok;
}

/* FACEBLIT_CUDA_FAIL_AFTER: lets a test on a real GPU make a launch fail, and so
 * exercise the fallback to the CPU. */
static gboolean
fb_cuda_forced_failure (FbCudaDevice * self, FbKernel kernel)
{
  if (self->fail_after < 0 || self->n_launches <= self->fail_after)
    return FALSE;
  fb_device_set_error (&self->parent, "CuLaunchKernel (%s): forced by "
      "FACEBLIT_CUDA_FAIL_AFTER=%" G_GINT64_FORMAT, fb_kernel_names[kernel],
      self->fail_after);
  return TRUE;
}

static gboolean
fb_cuda_launch (FbDevice * device, FbKernel kernel, const FbLaunch * launch,
    const void *args, gsize args_size)
{
  FbCudaDevice *self = (FbCudaDevice *) device;
  void *params[1] = { (void *) args };
  gboolean ok;

  g_return_val_if_fail (kernel < FB_N_KERNELS, FALSE);
  if (args_size != fb_kernel_args_sizes[kernel]) {
    fb_device_set_error (device, "%s takes %" G_GSIZE_FORMAT " bytes of arguments, not %"
        G_GSIZE_FORMAT, fb_kernel_names[kernel], fb_kernel_args_sizes[kernel], args_size);
    return FALSE;
  }
  self->n_launches++;
  if (fb_cuda_forced_failure (self, kernel))
    return FALSE;
  /* An empty area is nothing to do, where the driver would call it invalid. */
  if (!launch->grid_x || !launch->grid_y || !launch->block_x || !launch->block_y)
    return TRUE;
  if (!fb_cuda_push (self))
    return FALSE;
  ok = fb_cuda_check (self, CuLaunchKernel (self->functions[kernel], launch->grid_x,
          launch->grid_y, 1, launch->block_x, launch->block_y, 1, 0, self->stream,
          params, NULL), "CuLaunchKernel", fb_kernel_names[kernel]);
  fb_cuda_pop ();
  return ok;
}

static void *
fb_cuda_alloc_host (FbDevice * device, gsize bytes)
{
  FbCudaDevice *self = (FbCudaDevice *) device;
  void *ptr = NULL;
  gboolean ok;

  if (!fb_cuda_push (self))
    return NULL;
  ok = fb_cuda_check (self, CuMemAllocHost (&ptr, MAX (bytes, 1)), "CuMemAllocHost", NULL);
  fb_cuda_pop ();
  return ok ? ptr : NULL;
}

static void
fb_cuda_release_host (FbDevice * device, void *ptr)
{
  FbCudaDevice *self = (FbCudaDevice *) device;

  if (!ptr || !fb_cuda_push (self))
    return;
  fb_cuda_check (self, CuMemFreeHost (ptr), "CuMemFreeHost", NULL);
  fb_cuda_pop ();
}

static const FbDeviceClass fb_cuda_device_class = {
  fb_cuda_free,
  fb_cuda_alloc,
  fb_cuda_release,
  fb_cuda_upload,
  fb_cuda_download,
  fb_cuda_fill,
  fb_cuda_launch,
  fb_cuda_synchronize,
  fb_cuda_alloc_host,
  fb_cuda_release_host,
};

static gint64
fb_cuda_read_fail_after (void)
{
  const char *value = g_getenv ("FACEBLIT_CUDA_FAIL_AFTER");
  gint64 n;

  if (!value || !*value)
    return -1;
  if (!g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &n, NULL)) {
    g_warning ("FACEBLIT_CUDA_FAIL_AFTER=%s is not a number of launches; ignored", value);
    return -1;
  }
  return n;
}

/* "CUDA device 0 (NVIDIA H200)", which every message of this device starts with */
static void
fb_cuda_set_name (FbCudaDevice * self, CUdevice * cu_device)
{
  guint id = 0;
  char name[256];

  g_object_get (self->context, "cuda-device-id", &id, NULL);
  if (CuDeviceGet (cu_device, (int) id) == CUDA_SUCCESS
      && CuDeviceGetName (name, sizeof (name), *cu_device) == CUDA_SUCCESS)
    self->name = g_strdup_printf ("CUDA device %u (%s)", id, name);
  else
    self->name = g_strdup_printf ("CUDA device %u", id);
  self->parent.name = self->name;
}

static gboolean
fb_cuda_find_memset (FbCudaDevice * self)
{
  gpointer symbol = NULL;

  /* Already loaded by gst_cuda_load_library: this only takes another reference. */
  self->driver = g_module_open ("libcuda.so.1", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (!self->driver || !g_module_symbol (self->driver, "cuMemsetD8Async", &symbol)
      || !symbol) {
    fb_device_set_error (&self->parent, "the CUDA driver has no cuMemsetD8Async (%s)",
        g_module_error ());
    return FALSE;
  }
  self->memset_d8_async = (FbMemsetD8Async) symbol;
  return TRUE;
}

static gboolean
fb_cuda_create_stream (FbCudaDevice * self)
{
  gboolean ok;

  if (!fb_cuda_push (self))
    return FALSE;
  ok = fb_cuda_check (self, CuStreamCreate (&self->stream, CU_STREAM_DEFAULT),
      "CuStreamCreate", NULL);
  fb_cuda_pop ();
  return ok;
}

/* The GPU's generation, for the message when the fatbin has nothing it can run. */
static gchar *
fb_cuda_describe_fatbin (CUdevice cu_device)
{
  int major = 0, minor = 0;

  CuDeviceGetAttribute (&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, cu_device);
  CuDeviceGetAttribute (&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, cu_device);
  return g_strdup_printf ("embedded kernels, %" G_GSIZE_FORMAT " bytes, on sm_%d%d",
      fb_cuda_fatbin_size, major, minor);
}

static gboolean
fb_cuda_load_module (FbCudaDevice * self, CUdevice cu_device)
{
  CUresult result;
  gchar *detail;
  int i;

  result = CuModuleLoadData (&self->module, fb_cuda_fatbin);
  if (result != CUDA_SUCCESS) {
    self->module = NULL;
    detail = fb_cuda_describe_fatbin (cu_device);
    fb_cuda_check (self, result, "CuModuleLoadData", detail);
    g_free (detail);
    return FALSE;
  }
  for (i = 0; i < FB_N_KERNELS; i++) {
    if (!fb_cuda_check (self, CuModuleGetFunction (&self->functions[i], self->module,
                fb_kernel_names[i]), "CuModuleGetFunction", fb_kernel_names[i]))
      return FALSE;
  }
  return TRUE;
}

static gboolean
fb_cuda_load_kernels (FbCudaDevice * self, CUdevice cu_device)
{
  gboolean ok;

  if (!fb_cuda_push (self))
    return FALSE;
  ok = fb_cuda_load_module (self, cu_device);
  fb_cuda_pop ();
  return ok;
}

FbDevice *
fb_device_cuda_new_for_context (GstCudaContext * context, GError ** error)
{
  FbCudaDevice *self;
  CUdevice cu_device = 0;

  g_return_val_if_fail (GST_IS_CUDA_CONTEXT (context), NULL);

  self = g_new0 (FbCudaDevice, 1);
  self->parent.klass = &fb_cuda_device_class;
  self->context = gst_object_ref (context);
  self->fail_after = fb_cuda_read_fail_after ();
  fb_cuda_set_name (self, &cu_device);
  if (!fb_cuda_find_memset (self) || !fb_cuda_create_stream (self)
      || !fb_cuda_load_kernels (self, cu_device)) {
    g_propagate_error (error, g_steal_pointer (&self->parent.error));
    fb_cuda_free (&self->parent);
    return NULL;
  }
  return &self->parent;
}

FbDevice *
fb_device_cuda_new (int device_id, GError ** error)
{
  guint id = device_id < 0 ? 0 : (guint) device_id;
  GstCudaContext *context;
  FbDevice *device;

  if (!gst_cuda_load_library ()) {
    g_set_error (error, FB_DEVICE_ERROR, 0,
        "no CUDA driver (libcuda.so.1) could be loaded");
    return NULL;
  }
  context = gst_cuda_context_new (id);
  if (!context) {
    g_set_error (error, FB_DEVICE_ERROR, 0, "no CUDA device %u", id);
    return NULL;
  }
  device = fb_device_cuda_new_for_context (context, error);
  gst_object_unref (context);
  return device;
}
