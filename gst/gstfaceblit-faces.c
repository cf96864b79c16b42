/* faceblit — the faces of a frame as GStreamer values, and the custom meta that
 * carries them through converters and scalers.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include <gst/video/video.h>

#include "gstfaceblit-faces.h"

#define FACES_FIELD "faces"

/* The landmarks follow the pixels they sit on: GstVideoRegionOfInterestMeta keeps its
 * box through a scaler but drops its parameter structures, so the landmarks travel in
 * a meta of their own. The tags are the ROI meta's: videoconvert and videoscale keep
 * metas tagged "video", "orientation" and "size", calling the transform with the
 * scale of every "size" one; elements that change anything else drop it. */
static const gchar *faces_meta_tags[] = { GST_META_TAG_VIDEO_STR,
  GST_META_TAG_VIDEO_ORIENTATION_STR, GST_META_TAG_VIDEO_SIZE_STR, NULL
};

static void
float_array (GValue * array, const float *values, guint stride, guint n)
{
  GValue v = G_VALUE_INIT;
  guint i;

  g_value_init (array, GST_TYPE_ARRAY);
  g_value_init (&v, G_TYPE_FLOAT);
  for (i = 0; i < n; i++) {
    g_value_set_float (&v, values[i * stride]);
    gst_value_array_append_value (array, &v);
  }
  g_value_unset (&v);
}

static GstStructure *
face_structure (guint id, guint x, guint y, guint width, guint height,
    const FbLandmarks * landmarks)
{
  GstStructure *face = gst_structure_new ("face", "id", G_TYPE_UINT, id,
      "x", G_TYPE_UINT, x, "y", G_TYPE_UINT, y, "width", G_TYPE_UINT, width,
      "height", G_TYPE_UINT, height, NULL);
  const guint stride = sizeof (FbPoint) / sizeof (float);
  GValue xs = G_VALUE_INIT, ys = G_VALUE_INIT;

  float_array (&xs, &landmarks->points[0].x, stride, FB_N_LANDMARKS);
  float_array (&ys, &landmarks->points[0].y, stride, FB_N_LANDMARKS);
  gst_structure_take_value (face, "landmarks-x", &xs);
  gst_structure_take_value (face, "landmarks-y", &ys);
  return face;
}

static void
append_face (GValue * list, GstStructure * face)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, face);
  gst_value_list_append_and_take_value (list, &v);
}

void
gst_face_blit_faces_to_value (const FbFaceResult * faces, guint n_faces,
    GValue * faces_value)
{
  guint i;

  g_value_init (faces_value, GST_TYPE_LIST);
  for (i = 0; i < n_faces; i++)
    append_face (faces_value, face_structure (faces[i].id, faces[i].box.x,
            faces[i].box.y, faces[i].box.width, faces[i].box.height,
            &faces[i].landmarks));
}

void
gst_face_blit_add_faces_meta (GstBuffer * buffer, const FbFaceResult * faces,
    guint n_faces)
{
  GstCustomMeta *meta = gst_buffer_add_custom_meta (buffer,
      GST_FACE_BLIT_FACES_META_NAME);
  GValue value = G_VALUE_INIT;

  gst_face_blit_faces_to_value (faces, n_faces, &value);
  gst_structure_take_value (gst_custom_meta_get_structure (meta), FACES_FIELD, &value);
}

/* Box edges scale with the frame; a landmark is a position in pixel units whose
 * pixel centres (i + 0.5) land where the scaler puts them. */
static guint
scale_edge (guint edge, double scale)
{
  return (guint) lround (edge * scale);
}

static float
scale_point (float position, double scale)
{
  return (float) ((position + 0.5) * scale - 0.5);
}

static void
read_points (const GstStructure * face, const gchar * field, float *values,
    guint stride)
{
  const GValue *array = gst_structure_get_value (face, field);
  guint i, n = array ? MIN (gst_value_array_get_size (array), FB_N_LANDMARKS) : 0;

  for (i = 0; i < n; i++)
    values[i * stride] = g_value_get_float (gst_value_array_get_value (array, i));
}

static GstStructure *
scaled_face (const GstStructure * face, double sx, double sy)
{
  const guint stride = sizeof (FbPoint) / sizeof (float);
  guint id = 0, x = 0, y = 0, width = 0, height = 0, x1, y1, i;
  FbLandmarks landmarks = { 0 };

  gst_structure_get (face, "id", G_TYPE_UINT, &id, "x", G_TYPE_UINT, &x,
      "y", G_TYPE_UINT, &y, "width", G_TYPE_UINT, &width, "height", G_TYPE_UINT,
      &height, NULL);
  read_points (face, "landmarks-x", &landmarks.points[0].x, stride);
  read_points (face, "landmarks-y", &landmarks.points[0].y, stride);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    landmarks.points[i].x = scale_point (landmarks.points[i].x, sx);
    landmarks.points[i].y = scale_point (landmarks.points[i].y, sy);
  }
  x1 = scale_edge (x + width, sx);
  y1 = scale_edge (y + height, sy);
  x = scale_edge (x, sx);
  y = scale_edge (y, sy);
  return face_structure (id, x, y, x1 - x, y1 - y, &landmarks);
}

static gboolean
faces_meta_transform (GstBuffer * dest, GstCustomMeta * meta, GstBuffer * buffer,
    GQuark type, gpointer data, gpointer user_data)
{
  const GValue *faces = gst_structure_get_value (gst_custom_meta_get_structure (meta),
      FACES_FIELD);
  const GstVideoMetaTransform *scale = data;
  GValue scaled = G_VALUE_INIT;
  GstCustomMeta *copy;
  double sx, sy;
  guint i;

  if (GST_META_TRANSFORM_IS_COPY (type)) {
    copy = gst_buffer_add_custom_meta (dest, GST_FACE_BLIT_FACES_META_NAME);
    if (faces)
      gst_structure_set_value (gst_custom_meta_get_structure (copy), FACES_FIELD, faces);
    return TRUE;
  }
  if (!GST_VIDEO_META_TRANSFORM_IS_SCALE (type))
    return FALSE;

  sx = (double) GST_VIDEO_INFO_WIDTH (scale->out_info) /
      GST_VIDEO_INFO_WIDTH (scale->in_info);
  sy = (double) GST_VIDEO_INFO_HEIGHT (scale->out_info) /
      GST_VIDEO_INFO_HEIGHT (scale->in_info);
  g_value_init (&scaled, GST_TYPE_LIST);
  for (i = 0; faces && i < gst_value_list_get_size (faces); i++) {
    const GValue *face = gst_value_list_get_value (faces, i);
    if (GST_VALUE_HOLDS_STRUCTURE (face))
      append_face (&scaled, scaled_face (gst_value_get_structure (face), sx, sy));
  }
  copy = gst_buffer_add_custom_meta (dest, GST_FACE_BLIT_FACES_META_NAME);
  gst_structure_take_value (gst_custom_meta_get_structure (copy), FACES_FIELD, &scaled);
  return TRUE;
}

void
gst_face_blit_faces_meta_register (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered)) {
    gst_meta_register_custom (GST_FACE_BLIT_FACES_META_NAME, faces_meta_tags,
        faces_meta_transform, NULL, NULL);
    g_once_init_leave (&registered, 1);
  }
}
