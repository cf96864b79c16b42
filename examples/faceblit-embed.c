/* faceblit-embed — how an application embeds the faceblit element: it restyles a video
 * file, converts and scales it to 320 pixels wide RGBA, and reads, from every buffer
 * that reaches its appsink, the faces the element found: the custom meta
 * "FaceBlitFacesMeta", whose structure's "faces" list holds one "face" structure per
 * face with the tracking "id", the box ("x", "y", "width", "height") and the 68
 * landmarks ("landmarks-x", "landmarks-y"), scaled with the frame.
 *
 *   faceblit-embed VIDEO [STYLE.png]
 *
 * prints one line per face and frame: frame number, face id, box and eye centres, in
 * the pixels of the 320-pixel frame.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

/* Mean of landmarks first..first+5: an eye's centre (36-41 one eye, 42-47 the other). */
static void
eye_centre (const GValue * xs, const GValue * ys, guint first, float *x, float *y)
{
  guint i;

  *x = *y = 0;
  for (i = first; i < first + 6; i++) {
    *x += g_value_get_float (gst_value_array_get_value (xs, i)) / 6;
    *y += g_value_get_float (gst_value_array_get_value (ys, i)) / 6;
  }
}

static void
print_faces (GstBuffer * buffer, guint frame)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, "FaceBlitFacesMeta");
  const GValue *faces;
  guint i;

  if (!meta)
    return;                     /* no face in this frame */
  faces = gst_structure_get_value (gst_custom_meta_get_structure (meta), "faces");
  for (i = 0; i < gst_value_list_get_size (faces); i++) {
    const GstStructure *face =
        gst_value_get_structure (gst_value_list_get_value (faces, i));
    const GValue *xs = gst_structure_get_value (face, "landmarks-x");
    const GValue *ys = gst_structure_get_value (face, "landmarks-y");
    guint id = 0, x = 0, y = 0, w = 0, h = 0;
    float rx, ry, lx, ly;

    gst_structure_get (face, "id", G_TYPE_UINT, &id, "x", G_TYPE_UINT, &x,
        "y", G_TYPE_UINT, &y, "width", G_TYPE_UINT, &w, "height", G_TYPE_UINT, &h,
        NULL);
    eye_centre (xs, ys, 36, &rx, &ry);
    eye_centre (xs, ys, 42, &lx, &ly);
    g_print ("frame %4u  face %u  box %4u,%-4u %ux%u  eyes (%.1f, %.1f) (%.1f, %.1f)\n",
        frame, id, x, y, w, h, rx, ry, lx, ly);
  }
}

int
main (int argc, char **argv)
{
  GstElement *pipeline, *blit, *src, *sink;
  GError *error = NULL;
  GstSample *sample;
  GstBus *bus;
  GstMessage *msg;
  guint frame = 0;
  int status = 0;

  gst_init (&argc, &argv);
  if (argc < 2 || argc > 3) {
    g_printerr ("Usage: %s VIDEO [STYLE.png]\n", argv[0]);
    return 2;
  }

  /* The faces meta follows the frame through videoconvert and videoscale. (The
   * GstVideoRegionOfInterestMeta of each face does too, but loses its "faceblit"
   * parameters with the landmarks there.) */
  pipeline = gst_parse_launch ("filesrc name=src ! decodebin ! videoconvert "
      "! faceblit name=blit ! videoconvert ! videoscale "
      "! video/x-raw,format=RGBA,width=320 ! appsink name=sink sync=false", &error);
  if (!pipeline) {
    g_printerr ("Cannot build the pipeline: %s\n", error->message);
    g_error_free (error);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  blit = gst_bin_get_by_name (GST_BIN (pipeline), "blit");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", argv[1], NULL);
  if (argc == 3)
    g_object_set (blit, "style", argv[2], NULL);
  /* Most properties may also change while playing, from any thread, e.g.
   * g_object_set (blit, "voting", 5, NULL). */

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    /* Here the application would show or process the restyled RGBA frame. */
    print_faces (gst_sample_get_buffer (sample), frame++);
    gst_sample_unref (sample);
  }

  /* No more samples: the end of the file, or an error. */
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    gchar *debug = NULL;
    gst_message_parse_error (msg, &error, &debug);
    g_printerr ("Error from %s: %s\n%s\n", GST_OBJECT_NAME (msg->src), error->message,
        debug ? debug : "");
    g_clear_error (&error);
    g_free (debug);
    gst_message_unref (msg);
    status = 1;
  } else {
    g_print ("%u frames restyled\n", frame);
  }
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (blit);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return status;
}
