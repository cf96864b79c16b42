/* faceblit — whole pipelines: the real clip from ../shared with every exemplar there.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include "fb-test-helpers.h"

/* The first seconds of the clip are enough to run every stage on real video. */
#define CLIP_SECONDS 2

static gchar *video_path;
static gchar **style_paths;

typedef struct
{
  guint n_frames;
  guint n_with_face;
} Counts;

static GstPadProbeReturn
count_faces (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Counts *counts = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  counts->n_frames++;
  counts->n_with_face += gst_buffer_get_n_meta (buffer,
      GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE) > 0;
  return GST_PAD_PROBE_OK;
}

/* Fails on an error message; returns the message of one of the wanted types. */
static GstMessage *
wait_for (GstElement * pipeline, GstMessageType types)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      types | GST_MESSAGE_ERROR);

  gst_object_unref (bus);
  fail_unless (msg != NULL, "timed out waiting for %d", types);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    fail ("error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
        error->message, debug);
  }
  return msg;
}

static void
run_clip (const gchar * style)
{
  GstElement *pipeline, *faceblit, *sink;
  GstPad *pad;
  Counts counts = { 0 };
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  pipeline = gst_parse_launch ("filesrc name=src ! decodebin ! videoconvert ! "
      "faceblit name=faceblit ! fakesink name=sink sync=false", &error);
  fail_unless (pipeline != NULL, "%s", error ? error->message : "");
  faceblit = gst_bin_get_by_name (GST_BIN (pipeline), "faceblit");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (faceblit, "style", style, NULL);
  gst_child_proxy_set (GST_CHILD_PROXY (pipeline), "src::location", video_path, NULL);
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_faces, &counts, NULL);

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_message_unref (wait_for (pipeline, GST_MESSAGE_ASYNC_DONE));
  fail_unless (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH,
          GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_SET, CLIP_SECONDS * GST_SECOND));
  gst_message_unref (wait_for (pipeline, GST_MESSAGE_ASYNC_DONE));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_message_unref (wait_for (pipeline, GST_MESSAGE_EOS));
  gst_element_set_state (pipeline, GST_STATE_NULL);

  g_print ("%s: %u frames, %u with a face, %.1f s\n", style, counts.n_frames,
      counts.n_with_face, (g_get_monotonic_time () - start) / 1e6);
  fail_unless (counts.n_frames >= CLIP_SECONDS * 25, "only %u frames", counts.n_frames);
  /* the clip shows one face throughout */
  fail_unless (counts.n_with_face >= counts.n_frames * 9 / 10,
      "a face in only %u of %u frames", counts.n_with_face, counts.n_frames);

  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (faceblit);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_target1_with_every_style)
{
  guint i;

  fail_unless (g_strv_length (style_paths) > 0);
  for (i = 0; style_paths[i]; i++)
    run_clip (style_paths[i]);
}

GST_END_TEST;

static Suite *
pipeline_suite (void)
{
  Suite *s = suite_create ("faceblit-pipeline");
  TCase *tc = tcase_create ("target1");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_target1_with_every_style);
  return s;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* The exemplars in styles/, sorted: every NAME.png. */
static gchar **
list_styles (const gchar * dir_path)
{
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *paths = g_ptr_array_new ();
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".png"))
      g_ptr_array_add (paths, g_build_filename (dir_path, name, NULL));
  if (dir)
    g_dir_close (dir);
  g_ptr_array_sort (paths, compare_paths);
  g_ptr_array_add (paths, NULL);
  return (gchar **) g_ptr_array_free (paths, FALSE);
}

static gboolean
have_h264_decoder (void)
{
  GList *decoders = gst_element_factory_list_get_elements
      (GST_ELEMENT_FACTORY_TYPE_DECODER | GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO,
      GST_RANK_MARGINAL);
  GstCaps *h264 = gst_caps_from_string ("video/x-h264");
  GList *usable = gst_element_factory_list_filter (decoders, h264, GST_PAD_SINK,
      FALSE);
  gboolean found = usable != NULL;

  gst_plugin_feature_list_free (usable);
  gst_plugin_feature_list_free (decoders);
  gst_caps_unref (h264);
  return found;
}

int
main (int argc, char **argv)
{
  gchar *styles_dir;
  int failed;

  gst_check_init (&argc, &argv);
  video_path = fb_test_shared_path ("targets/target1.mp4");
  styles_dir = fb_test_shared_path ("styles");
  if (!video_path || !styles_dir || !fb_test_model_path ()) {
    g_print ("SKIP: needs ../shared/data (targets/target1.mp4, styles/) and "
        "dlib's model\n");
    return 77;
  }
  if (!have_h264_decoder ()) {
    g_print ("SKIP: no H.264 decoder installed (gst-libav)\n");
    return 77;
  }
  style_paths = list_styles (styles_dir);

  failed = gst_check_run_suite (pipeline_suite (), "faceblit-pipeline", __FILE__);

  g_strfreev (style_paths);
  g_free (styles_dir);
  g_free (video_path);
  return failed;
}
