/* faceblit — the CUDA FbDevice on a context that GStreamer gave us, so that the element
 * shares the GPU and its memory with its neighbours (gst_cuda_ensure_element_context).
 * Needs no gst/cuda header: GstCudaContext is only passed through.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-device.h"

G_BEGIN_DECLS

typedef struct _GstCudaContext GstCudaContext;

/* Takes a reference on context. NULL with error set when the embedded kernels cannot
 * be loaded on its GPU. */
FbDevice *fb_device_cuda_new_for_context (GstCudaContext * context, GError ** error);

G_END_DECLS
