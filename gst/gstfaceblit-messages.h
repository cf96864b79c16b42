/* faceblit — the element messages applications listen to on the bus.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "fb-engine.h"

G_BEGIN_DECLS

/* "faceblit": the faces of one frame (post-messages=true), with the frame's
 * "timestamp", "stream-time", "running-time" and "duration" (guint64, like
 * facedetect's) and "faces" (see gst_face_blit_faces_to_value ()). */
GstMessage *gst_face_blit_faces_message (GstElement * element,
    const GstSegment * segment, GstBuffer * buffer, const FbFaceResult * faces,
    guint n_faces);

/* "faceblit-style-ready": a style was prepared and is in use. "style" is the property
 * as set (NULL for the bundled exemplar), "path" the exemplar's file,
 * "preparation-ms" (gdouble) how long preparing it took, "cached" (gboolean) whether
 * its seed tables came from the disk cache. */
GstMessage *gst_face_blit_style_ready_message (GstElement * element,
    const gchar * style, const gchar * path, gdouble preparation_ms, gboolean cached);

/* "faceblit-style-failed": a style could not be prepared; "style" and "path" as
 * above, "reason" the error's message. */
GstMessage *gst_face_blit_style_failed_message (GstElement * element,
    const gchar * style, const gchar * path, const gchar * reason);

G_END_DECLS
