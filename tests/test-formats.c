/* faceblit — the video formats in pipelines: every supported format reaches the element
 * without a converter and leaves it unchanged where there is no face; a format it
 * cannot take fails negotiation (not-negotiated), never crashes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "fb-test-helpers.h"

static const gchar *const supported[] = {
  "RGBA", "BGRA", "ARGB", "ABGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGB", "BGR",
  "I420", "NV12", "NV21", "YUY2", "UYVY", "GRAY8", "I420_10LE", "P010_10LE",
};

/* Formats webcams or decoders emit that the element does not take. */
static const gchar *const unsupported[] = { "RGB16", "v210", "NV16", "Y444" };

/* What the element's sink saw, and whether its output matched it byte for byte. */
typedef struct
{
  GstBuffer *input;             /* a copy of the last buffer in */
  GString *formats;             /* the format of each buffer in, space-separated */
  guint n_frames;
  guint n_changed;
} Watch;

static GstPadProbeReturn
keep_input (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Watch *watch = data;
  GstCaps *caps = gst_pad_get_current_caps (pad);

  fail_unless (caps != NULL);
  g_string_append_printf (watch->formats, "%s ",
      gst_structure_get_string (gst_caps_get_structure (caps, 0), "format"));
  gst_caps_unref (caps);
  gst_clear_buffer (&watch->input);
  watch->input = gst_buffer_copy_deep (GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
compare_output (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Watch *watch = data;
  GstBuffer *out = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo a, b;

  fail_unless (gst_buffer_map (watch->input, &a, GST_MAP_READ));
  fail_unless (gst_buffer_map (out, &b, GST_MAP_READ));
  watch->n_changed += a.size != b.size || memcmp (a.data, b.data, a.size) != 0;
  watch->n_frames++;
  gst_buffer_unmap (out, &b);
  gst_buffer_unmap (watch->input, &a);
  return GST_PAD_PROBE_OK;
}

/* Waits for the end of the pipeline (PLAYING); returns its error message, or NULL at
 * EOS. */
static GstMessage *
wait_for_end (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  fail_unless (msg != NULL, "timed out");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    gst_message_unref (msg);
    return NULL;
  }
  return msg;
}

static GstElement *
launch (const gchar * description)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", description,
      error ? error->message : "");
  return pipeline;
}

#define TEST_CAPS "video/x-raw,format=%s,width=97,height=61,framerate=30/1"
#define FRAMES_PER_FORMAT 2

/* videotestsrc's frames in `format`, pulled from an appsink. */
static GList *
test_pattern (const gchar * format)
{
  gchar *description = g_strdup_printf ("videotestsrc num-buffers=%d pattern=smpte ! "
      TEST_CAPS " ! appsink name=sink sync=false", FRAMES_PER_FORMAT, format);
  GstElement *pipeline = launch (description);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GList *samples = NULL;
  int i;

  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < FRAMES_PER_FORMAT; i++) {
    GstSample *sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    fail_unless (sample != NULL, "%s: no test pattern", format);
    samples = g_list_append (samples, sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (description);
  return samples;
}

/* videotestsrc's pattern in each format, fed through appsrc into one running faceblit
 * (caps change from format to format): negotiated as it is, without a converter, and
 * no pixel changed (there is no face in a test pattern). */
GST_START_TEST (test_every_format_through_a_pipeline)
{
  GstElement *pipeline, *src, *faceblit;
  GstPad *sink_pad, *src_pad;
  Watch watch = { NULL, g_string_new (NULL) };
  GString *pushed = g_string_new (NULL);
  GstFlowReturn flow;
  GstMessage *error;
  guint i;

  if (!fb_test_model_path ()) {
    g_print ("SKIP: the pipelines need dlib's model (libdlib-data)\n");
    return;
  }
  pipeline = launch ("appsrc name=src format=time ! faceblit name=faceblit ! "
      "fakesink sync=false");
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  faceblit = gst_bin_get_by_name (GST_BIN (pipeline), "faceblit");
  sink_pad = gst_element_get_static_pad (faceblit, "sink");
  src_pad = gst_element_get_static_pad (faceblit, "src");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, keep_input, &watch, NULL);
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_BUFFER, compare_output, &watch, NULL);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < G_N_ELEMENTS (supported); i++) {
    GList *samples = test_pattern (supported[i]), *l;
    for (l = samples; l; l = l->next) {
      g_signal_emit_by_name (src, "push-sample", l->data, &flow);
      fail_unless_equals_int (flow, GST_FLOW_OK);
      g_string_append_printf (pushed, "%s ", supported[i]);
    }
    g_list_free_full (samples, (GDestroyNotify) gst_sample_unref);
  }
  g_signal_emit_by_name (src, "end-of-stream", &flow);
  error = wait_for_end (pipeline);
  fail_unless (error == NULL, "error from %s",
      error ? GST_OBJECT_NAME (GST_MESSAGE_SRC (error)) : "");

  fail_unless_equals_string (watch.formats->str, pushed->str);
  fail_unless_equals_int (watch.n_frames, FRAMES_PER_FORMAT * G_N_ELEMENTS (supported));
  fail_unless_equals_int (watch.n_changed, 0);

  gst_clear_buffer (&watch.input);
  g_string_free (watch.formats, TRUE);
  g_string_free (pushed, TRUE);
  gst_object_unref (src_pad);
  gst_object_unref (sink_pad);
  gst_object_unref (faceblit);
  gst_object_unref (src);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* A format the element cannot take: its sink pad refuses the caps, a buffer pushed
 * with them gets not-negotiated, and a pipeline whose source forces them stops with a
 * not-negotiated flow error. */
GST_START_TEST (test_unsupported_format_is_not_negotiated)
{
  GstHarness *h = gst_harness_new ("faceblit");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (unsupported); i++) {
    gchar *caps_string = g_strdup_printf (TEST_CAPS, unsupported[i]);
    GstCaps *caps = gst_caps_from_string (caps_string);

    fail_if (gst_pad_peer_query_accept_caps (h->srcpad, caps), "%s accepted",
        unsupported[i]);
    gst_harness_set_src_caps (h, caps);
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_allocate (NULL,
                97 * 61 * 4, NULL)), GST_FLOW_NOT_NEGOTIATED);
    g_free (caps_string);
  }
  gst_harness_teardown (h);

  for (i = 0; i < 2; i++) {
    gchar *description = g_strdup_printf ("videotestsrc num-buffers=1 ! capsfilter "
        "name=filter caps=" TEST_CAPS, unsupported[i]);
    GstElement *pipeline = launch (description);
    GstElement *filter = gst_bin_get_by_name (GST_BIN (pipeline), "filter");
    GstElement *faceblit = gst_element_factory_make ("faceblit", NULL);
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    GstPad *from = gst_element_get_static_pad (filter, "src");
    GstPad *to = gst_element_get_static_pad (faceblit, "sink");
    const GstStructure *details;
    GError *error = NULL;
    GstMessage *msg;
    gint flow = GST_FLOW_OK;

    gst_bin_add_many (GST_BIN (pipeline), faceblit, sink, NULL);
    fail_unless (gst_element_link (faceblit, sink));
    /* as an application would link them, without asking whether the caps fit */
    fail_unless_equals_int (gst_pad_link_full (from, to, GST_PAD_LINK_CHECK_NOTHING),
        GST_PAD_LINK_OK);
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    msg = wait_for_end (pipeline);
    fail_unless (msg != NULL, "%s: the pipeline ran", unsupported[i]);
    gst_message_parse_error (msg, &error, NULL);
    gst_message_parse_error_details (msg, &details);
    fail_unless (details && gst_structure_get_int (details, "flow-return", &flow),
        "%s: %s", unsupported[i], error->message);
    fail_unless_equals_int (flow, GST_FLOW_NOT_NEGOTIATED);

    g_error_free (error);
    gst_message_unref (msg);
    gst_object_unref (to);
    gst_object_unref (from);
    gst_object_unref (filter);
    gst_object_unref (pipeline);
    g_free (description);
  }
}

GST_END_TEST;

/* The pad templates list every format, in system memory and (in a CUDA build) in
 * CUDA memory alike. */
GST_START_TEST (test_templates_list_every_format)
{
  GstElementFactory *factory = gst_element_factory_find ("faceblit");
  const GList *t;
  guint i;

  fail_unless (factory != NULL);
  for (t = gst_element_factory_get_static_pad_templates (factory); t; t = t->next) {
    GstCaps *caps = gst_static_caps_get (&((GstStaticPadTemplate *) t->data)->static_caps);
    guint s;

    for (s = 0; s < gst_caps_get_size (caps); s++) {
      const GValue *formats = gst_structure_get_value (gst_caps_get_structure (caps, s),
          "format");
      fail_unless (formats && GST_VALUE_HOLDS_LIST (formats));
      fail_unless_equals_int (gst_value_list_get_size (formats),
          G_N_ELEMENTS (supported));
      for (i = 0; i < G_N_ELEMENTS (supported); i++)
        fail_unless_equals_string (g_value_get_string (gst_value_list_get_value (formats,
                    i)), supported[i]);
    }
    gst_caps_unref (caps);
  }
  gst_object_unref (factory);
}

GST_END_TEST;

static Suite *
formats_suite (void)
{
  Suite *s = suite_create ("faceblit-formats");
  TCase *tc = tcase_create ("formats");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_templates_list_every_format);
  tcase_add_test (tc, test_every_format_through_a_pipeline);
  tcase_add_test (tc, test_unsupported_format_is_not_negotiated);
  return s;
}

GST_CHECK_MAIN (formats);
