/* faceblit — GStreamer element that restyles every face after one example portrait.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_FACE_BLIT (gst_face_blit_get_type ())
G_DECLARE_FINAL_TYPE (GstFaceBlit, gst_face_blit, GST, FACE_BLIT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (faceblit);

G_END_DECLS
