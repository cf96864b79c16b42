/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define GST_USE_UNSTABLE_API
#include "gstfaceblit-cuda.h"

#include <gst/cuda/gstcudabufferpool.h>
#include <gst/cuda/gstcudacontext.h>
#include <gst/cuda/gstcudaloader.h>
#include <gst/cuda/gstcudamemory.h>
#include <gst/cuda/gstcudautils.h>

#include "fb-backend-cuda.h"
#include "fb-device-cuda.h"

GST_DEBUG_CATEGORY_EXTERN (gst_face_blit_debug);
#define GST_CAT_DEFAULT gst_face_blit_debug

/* Buffer pools find the CUDA allocator only once it is registered. */
void
gst_face_blit_cuda_plugin_init (void)
{
  if (gst_cuda_load_library ())
    gst_cuda_memory_init_once ();
}

gboolean
gst_face_blit_cuda_set_context (GstElement * element, GstContext * context,
    gint device_id, GstCudaContext ** cuda_context)
{
  return gst_cuda_handle_set_context (element, context, device_id, cuda_context);
}

gboolean
gst_face_blit_cuda_context_query (GstElement * element, GstQuery * query,
    GstCudaContext * cuda_context)
{
  return gst_cuda_handle_context_query (element, query, cuda_context);
}

FbBackend *
gst_face_blit_cuda_backend_new (GstElement * element, gint device_id, int n_threads,
    GstCudaContext ** cuda_context, GError ** error)
{
  FbDevice *device;

  if (!gst_cuda_load_library ()) {
    g_set_error (error, FB_DEVICE_ERROR, 0,
        "no CUDA driver (libcuda.so.1) could be loaded.");
    return NULL;
  }
  if (!gst_cuda_ensure_element_context (element, device_id, cuda_context)) {
    g_set_error (error, FB_DEVICE_ERROR, 0, "no CUDA device %d could be opened.",
        device_id < 0 ? 0 : device_id);
    return NULL;
  }
  device = fb_device_cuda_new_for_context (*cuda_context, error);
  if (!device) {
    gst_clear_object (cuda_context);
    return NULL;
  }
  return fb_backend_cuda_new_for_device (device, n_threads);
}

void
gst_face_blit_cuda_context_clear (GstCudaContext ** cuda_context)
{
  gst_clear_object (cuda_context);
}

gboolean
gst_face_blit_cuda_propose_allocation (GstCudaContext * cuda_context, GstQuery * query,
    GstCaps * caps)
{
  GstCapsFeatures *features = gst_caps_get_features (caps, 0);
  GstBufferPool *pool;
  GstStructure *config;
  GstVideoInfo info;
  guint size;

  if (!features || !gst_caps_features_contains (features,
          GST_CAPS_FEATURE_MEMORY_CUDA_MEMORY))
    return FALSE;
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  if (!cuda_context || !gst_video_info_from_caps (&info, caps)
      || gst_query_get_n_allocation_pools (query) > 0)
    return TRUE;
  pool = gst_cuda_buffer_pool_new (cuda_context);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_config_set_params (config, caps, GST_VIDEO_INFO_SIZE (&info), 0, 0);
  if (!gst_buffer_pool_set_config (pool, config)) {
    GST_WARNING ("the CUDA buffer pool refused its configuration");
    gst_object_unref (pool);
    return TRUE;
  }
  /* the pool pads the pitch: the size it settled on is the one to propose */
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_get_params (config, NULL, &size, NULL, NULL);
  gst_structure_free (config);
  gst_query_add_allocation_pool (query, pool, size, 0, 0);
  gst_object_unref (pool);
  return TRUE;
}

gboolean
gst_face_blit_cuda_buffer_on_device (GstBuffer * buffer, GstCudaContext * cuda_context)
{
  guint i, n = gst_buffer_n_memory (buffer);

  if (!cuda_context || n == 0)
    return FALSE;
  for (i = 0; i < n; i++) {
    GstMemory *memory = gst_buffer_peek_memory (buffer, i);
    if (!gst_is_cuda_memory (memory)
        || GST_CUDA_MEMORY_CAST (memory)->context != cuda_context)
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_face_blit_cuda_map_frame (GstVideoFrame * frame, const GstVideoInfo * info,
    GstBuffer * buffer)
{
  return gst_video_frame_map (frame, info, buffer, GST_MAP_READWRITE | GST_MAP_CUDA);
}
