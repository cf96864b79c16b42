/* faceblit — what the element does with GStreamer's CUDA library: the context it shares
 * with its neighbours, CUDA memory caps, a CUDA buffer pool for upstream, and frames
 * mapped on the device. In a build without CUDA, these say there is no GPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

#include <gst/gst.h>
#include <gst/video/video.h>

#include "fb-backend.h"

G_BEGIN_DECLS

typedef struct _GstCudaContext GstCudaContext;

#ifdef FB_HAVE_CUDA

/* The memory kinds the pads offer: CUDA memory first, then system memory. */
#define GST_FACE_BLIT_CUDA_CAPS(formats) \
  GST_VIDEO_CAPS_MAKE_WITH_FEATURES ("memory:CUDAMemory", formats) "; " \
  GST_VIDEO_CAPS_MAKE (formats)

void gst_face_blit_cuda_plugin_init (void);
gboolean gst_face_blit_cuda_set_context (GstElement * element, GstContext * context,
    gint device_id, GstCudaContext ** cuda_context);
gboolean gst_face_blit_cuda_context_query (GstElement * element, GstQuery * query,
    GstCudaContext * cuda_context);
/* The CUDA backend on the context that the pipeline shares (made if none is), or NULL
 * with error set. */
FbBackend *gst_face_blit_cuda_backend_new (GstElement * element, gint device_id,
    int n_threads, GstCudaContext ** cuda_context, GError ** error);
void gst_face_blit_cuda_context_clear (GstCudaContext ** cuda_context);
/* TRUE when caps are CUDA memory caps: the query then offers a CUDA buffer pool. */
gboolean gst_face_blit_cuda_propose_allocation (GstCudaContext * cuda_context,
    GstQuery * query, GstCaps * caps);
/* Whether every memory of buffer is CUDA memory on cuda_context's GPU. */
gboolean gst_face_blit_cuda_buffer_on_device (GstBuffer * buffer,
    GstCudaContext * cuda_context);
/* Maps the frame's planes as device addresses. */
gboolean gst_face_blit_cuda_map_frame (GstVideoFrame * frame, const GstVideoInfo * info,
    GstBuffer * buffer);

#else

#define GST_FACE_BLIT_CUDA_CAPS(formats) GST_VIDEO_CAPS_MAKE (formats)

static inline void
gst_face_blit_cuda_plugin_init (void)
{
}

static inline gboolean
gst_face_blit_cuda_set_context (GstElement * element, GstContext * context,
    gint device_id, GstCudaContext ** cuda_context)
{
  return FALSE;
}

static inline gboolean
gst_face_blit_cuda_context_query (GstElement * element, GstQuery * query,
    GstCudaContext * cuda_context)
{
  return FALSE;
}

static inline FbBackend *
gst_face_blit_cuda_backend_new (GstElement * element, gint device_id, int n_threads,
    GstCudaContext ** cuda_context, GError ** error)
{
  return fb_backend_cuda_new (device_id, n_threads, error);
}

static inline void
gst_face_blit_cuda_context_clear (GstCudaContext ** cuda_context)
{
}

static inline gboolean
gst_face_blit_cuda_propose_allocation (GstCudaContext * cuda_context, GstQuery * query,
    GstCaps * caps)
{
  return FALSE;
}

static inline gboolean
gst_face_blit_cuda_buffer_on_device (GstBuffer * buffer, GstCudaContext * cuda_context)
{
  return FALSE;
}

static inline gboolean
gst_face_blit_cuda_map_frame (GstVideoFrame * frame, const GstVideoInfo * info,
    GstBuffer * buffer)
{
  return FALSE;
}

#endif

G_END_DECLS
