/* faceblit — the element messages applications listen to on the bus.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "gstfaceblit-faces.h"
#include "gstfaceblit-messages.h"

GstMessage *
gst_face_blit_faces_message (GstElement * element, const GstSegment * segment,
    GstBuffer * buffer, const FbFaceResult * faces, guint n_faces)
{
  GstClockTime timestamp = GST_BUFFER_PTS (buffer);
  GstStructure *s = gst_structure_new ("faceblit",
      "timestamp", G_TYPE_UINT64, timestamp,
      "stream-time", G_TYPE_UINT64, gst_segment_to_stream_time (segment,
          GST_FORMAT_TIME, timestamp),
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time (segment,
          GST_FORMAT_TIME, timestamp),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buffer), NULL);
  GValue value = G_VALUE_INIT;

  gst_face_blit_faces_to_value (faces, n_faces, &value);
  gst_structure_take_value (s, "faces", &value);
  return gst_message_new_element (GST_OBJECT (element), s);
}

GstMessage *
gst_face_blit_style_ready_message (GstElement * element, const gchar * style,
    const gchar * path, gdouble preparation_ms, gboolean cached)
{
  return gst_message_new_element (GST_OBJECT (element),
      gst_structure_new ("faceblit-style-ready", "style", G_TYPE_STRING, style,
          "path", G_TYPE_STRING, path, "preparation-ms", G_TYPE_DOUBLE,
          preparation_ms, "cached", G_TYPE_BOOLEAN, cached, NULL));
}

GstMessage *
gst_face_blit_style_failed_message (GstElement * element, const gchar * style,
    const gchar * path, const gchar * reason)
{
  return gst_message_new_element (GST_OBJECT (element),
      gst_structure_new ("faceblit-style-failed", "style", G_TYPE_STRING, style,
          "path", G_TYPE_STRING, path, "reason", G_TYPE_STRING, reason, NULL));
}
