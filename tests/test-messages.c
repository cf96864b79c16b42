/* faceblit — what applications read: the element messages (faces per frame, style
 * ready or failed), active-style, and the faces meta through videoconvert and
 * videoscale.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "fb-bundled-styles.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

#define FACES_META "FaceBlitFacesMeta"
#define FRAME_DURATION (GST_SECOND / 25)
#define STYLE_WAIT_FRAMES 400
#define STYLE_WAIT_US 20000

/* Loaded once in main (); forked tests inherit them. */
static gchar *astronaut_path;
static FbImage *astronaut;
static gchar *source_style, *source_style_lm;

/* A face as the element reports it. */
typedef struct
{
  guint id, x, y, width, height;
  float lx[FB_N_LANDMARKS], ly[FB_N_LANDMARKS];
} Face;

static void
read_floats (const GstStructure * s, const gchar * field, float *values)
{
  const GValue *array = gst_structure_get_value (s, field);
  guint i;

  fail_unless (array != NULL && GST_VALUE_HOLDS_ARRAY (array), "no array %s", field);
  fail_unless_equals_int (gst_value_array_get_size (array), FB_N_LANDMARKS);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    const GValue *v = gst_value_array_get_value (array, i);
    fail_unless (G_VALUE_HOLDS_FLOAT (v));
    values[i] = g_value_get_float (v);
  }
}

/* Reads a "faces" list; returns how many faces it holds (at most `max`). */
static guint
read_faces (const GstStructure * s, Face * faces, guint max)
{
  const GValue *list = gst_structure_get_value (s, "faces");
  guint i, n;

  fail_unless (list != NULL && GST_VALUE_HOLDS_LIST (list), "no list of faces in %"
      GST_PTR_FORMAT, s);
  n = MIN (gst_value_list_get_size (list), max);
  for (i = 0; i < n; i++) {
    const GstStructure *face =
        gst_value_get_structure (gst_value_list_get_value (list, i));

    fail_unless (gst_structure_has_name (face, "face"));
    fail_unless (gst_structure_get (face, "id", G_TYPE_UINT, &faces[i].id,
            "x", G_TYPE_UINT, &faces[i].x, "y", G_TYPE_UINT, &faces[i].y,
            "width", G_TYPE_UINT, &faces[i].width, "height", G_TYPE_UINT,
            &faces[i].height, NULL), "incomplete face %" GST_PTR_FORMAT, face);
    read_floats (face, "landmarks-x", faces[i].lx);
    read_floats (face, "landmarks-y", faces[i].ly);
  }
  return n;
}

static guint
meta_faces (GstBuffer * buffer, Face * faces, guint max)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, FACES_META);

  if (!meta)
    return 0;
  return read_faces (gst_custom_meta_get_structure (meta), faces, max);
}

static GstVideoRegionOfInterestMeta *
roi_meta (GstBuffer * buffer)
{
  return (GstVideoRegionOfInterestMeta *) gst_buffer_get_meta (buffer,
      GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
}

/* ---- the element in a harness, fed the astronaut ---------------------------- */

static GstHarness *
start_harness (const gchar * first_property, ...)
{
  GstVideoInfo info;
  GstHarness *h;
  va_list args;

  va_start (args, first_property);
  h = fb_test_harness_new_valist (first_property, args);
  va_end (args);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, astronaut->width,
      astronaut->height);
  GST_VIDEO_INFO_FPS_N (&info) = 25;
  GST_VIDEO_INFO_FPS_D (&info) = 1;
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  return h;
}

static GstBuffer *
push_frame (GstHarness * h, guint index)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buffer, *out;
  int y;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, astronaut->width,
      astronaut->height);
  buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  fail_unless (gst_video_frame_map (&frame, &info, buffer, GST_MAP_WRITE));
  for (y = 0; y < astronaut->height; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), fb_image_row (astronaut, y),
        astronaut->width * 3);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buffer) = index * FRAME_DURATION;
  GST_BUFFER_DURATION (buffer) = FRAME_DURATION;
  out = gst_harness_push_and_pull (h, buffer);
  fail_unless (out != NULL);
  return out;
}

/* The next element message named `name`, or NULL; errors and warnings pass. */
static GstMessage *
pop_element_message (GstHarness * h, const gchar * name)
{
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_structure_has_name (gst_message_get_structure (msg), name))
      break;
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return msg;
}

static gchar *
active_style (GstElement * element)
{
  gchar *s = NULL;

  g_object_get (element, "active-style", &s, NULL);
  return s;
}

/* Pushes frames until the element posts `name`. */
static GstMessage *
wait_for_message (GstHarness * h, const gchar * name, guint * index)
{
  GstMessage *msg = NULL;
  guint k;

  for (k = 0; k < STYLE_WAIT_FRAMES && !msg; k++) {
    gst_buffer_unref (push_frame (h, (*index)++));
    msg = pop_element_message (h, name);
    if (!msg)
      g_usleep (STYLE_WAIT_US);
  }
  fail_unless (msg != NULL, "no %s message", name);
  return msg;
}

/* ---------------------------------------------------------------------------- */

/* One "faceblit" message per frame with faces, only with post-messages=true, holding
 * the frame's times and the same faces as the buffer's metas. */
GST_START_TEST (test_faces_message)
{
  GstHarness *h = start_harness (NULL);
  const GstStructure *s;
  GstClockTime timestamp, stream_time, running_time, duration;
  Face from_message[2], from_meta[2];
  GstVideoRegionOfInterestMeta *roi;
  GstMessage *msg;
  GstBuffer *out;
  guint i, k;

  out = push_frame (h, 0);
  fail_unless_equals_int (meta_faces (out, from_meta, 2), 1);
  gst_buffer_unref (out);
  msg = pop_element_message (h, "faceblit");
  fail_unless (msg == NULL, "a faces message without post-messages");

  g_object_set (h->element, "post-messages", TRUE, NULL);
  for (k = 1; k < 4; k++) {
    out = push_frame (h, k);
    msg = pop_element_message (h, "faceblit");
    fail_unless (msg != NULL, "no faces message for frame %u", k);
    fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (h->element));
    s = gst_message_get_structure (msg);
    fail_unless (gst_structure_get (s, "timestamp", G_TYPE_UINT64, &timestamp,
            "stream-time", G_TYPE_UINT64, &stream_time, "running-time",
            G_TYPE_UINT64, &running_time, "duration", G_TYPE_UINT64, &duration,
            NULL));
    fail_unless_equals_uint64 (timestamp, k * FRAME_DURATION);
    fail_unless_equals_uint64 (stream_time, k * FRAME_DURATION);
    fail_unless_equals_uint64 (running_time, k * FRAME_DURATION);
    fail_unless_equals_uint64 (duration, FRAME_DURATION);

    fail_unless_equals_int (read_faces (s, from_message, 2), 1);
    fail_unless_equals_int (meta_faces (out, from_meta, 2), 1);
    fail_unless (memcmp (&from_message[0], &from_meta[0], sizeof (Face)) == 0,
        "the message and the meta disagree");
    roi = roi_meta (out);
    fail_unless (roi != NULL);
    fail_unless_equals_int (from_message[0].id, roi->id);
    fail_unless_equals_int (from_message[0].x, roi->x);
    fail_unless_equals_int (from_message[0].width, roi->w);
    fail_unless (from_message[0].width > 60 && from_message[0].width < 400,
        "a face %u px wide", from_message[0].width);
    for (i = 0; i < FB_N_LANDMARKS; i++)
      fail_unless (from_message[0].lx[i] > roi->x - 20
          && from_message[0].lx[i] < roi->x + roi->w + 20
          && from_message[0].ly[i] > roi->y - 20
          && from_message[0].ly[i] < roi->y + roi->h + 20,
          "landmark %u far outside the face's box", i);
    gst_message_unref (msg);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Every preparation ends in faceblit-style-ready or faceblit-style-failed, and
 * active-style follows what is in use, while style reads back what was set. */
GST_START_TEST (test_style_messages_and_active_style)
{
  const gchar *missing = "/nonexistent/style.png";
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstHarness *h;
  const GstStructure *s;
  GstMessage *msg;
  gchar *active, *first_path, *style;
  gboolean cached;
  gdouble ms;
  guint index = 0;

  active = active_style (element);
  fail_unless (active == NULL, "active-style %s before start", active);
  gst_object_unref (element);

  /* at start: the bundled exemplar */
  h = start_harness (NULL);
  msg = pop_element_message (h, "faceblit-style-ready");
  fail_unless (msg != NULL, "no faceblit-style-ready at start");
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_get_string (s, "style") == NULL);
  first_path = g_strdup (gst_structure_get_string (s, "path"));
  fail_unless (g_str_has_suffix (first_path,
          G_DIR_SEPARATOR_S "styles" G_DIR_SEPARATOR_S FB_DEFAULT_STYLE_NAME ".png"),
      "path %s", first_path);
  fail_unless (gst_structure_get (s, "preparation-ms", G_TYPE_DOUBLE, &ms,
          "cached", G_TYPE_BOOLEAN, &cached, NULL));
  fail_unless (ms >= 0 && ms < 60000, "preparation took %g ms", ms);
  gst_message_unref (msg);
  active = active_style (h->element);
  fail_unless_equals_string (active, first_path);
  g_free (active);

  /* a style that cannot be prepared: said on the bus, the previous one stays */
  g_object_set (h->element, "style", missing, NULL);
  msg = wait_for_message (h, "faceblit-style-failed", &index);
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "style"), missing);
  fail_unless_equals_string (gst_structure_get_string (s, "path"), missing);
  fail_unless (strstr (gst_structure_get_string (s, "reason"), missing) != NULL,
      "the reason does not name the file: %s", gst_structure_get_string (s, "reason"));
  gst_message_unref (msg);
  g_object_get (h->element, "style", &style, NULL);
  fail_unless_equals_string (style, missing);
  g_free (style);
  active = active_style (h->element);
  fail_unless_equals_string (active, first_path);
  g_free (active);

  /* the same exemplar by its path: the seed tables come from the cache now */
  g_object_set (h->element, "style", source_style, "style-landmarks", source_style_lm,
      NULL);
  msg = wait_for_message (h, "faceblit-style-ready", &index);
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "style"), source_style);
  fail_unless_equals_string (gst_structure_get_string (s, "path"), source_style);
  fail_unless (gst_structure_get (s, "cached", G_TYPE_BOOLEAN, &cached, NULL));
  fail_unless (cached, "a style prepared before is not taken from the cache");
  gst_message_unref (msg);
  active = active_style (h->element);
  fail_unless_equals_string (active, source_style);
  g_free (active);

  gst_harness_teardown (h);
  g_free (first_path);
}

GST_END_TEST;

/* A style that fails at start: faceblit-style-failed beside the error. */
GST_START_TEST (test_style_failed_at_start)
{
  const gchar *missing = "/nonexistent/style.png";
  GstElement *pipeline, *blit;
  GstBus *bus;
  GstMessage *msg;
  gchar *launch = g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! "
      "imagefreeze num-buffers=1 ! videoconvert ! faceblit name=blit style=%s ! "
      "fakesink", astronaut_path, missing);
  gboolean failed_seen = FALSE, error_seen = FALSE;

  pipeline = gst_parse_launch (launch, NULL);
  fail_unless (pipeline != NULL);
  blit = gst_bin_get_by_name (GST_BIN (pipeline), "blit");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  while (!error_seen && (msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
              GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (gst_message_get_structure (msg),
            "faceblit-style-failed")) {
      fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (blit));
      fail_unless_equals_string (gst_structure_get_string
          (gst_message_get_structure (msg), "path"), missing);
      failed_seen = TRUE;
    }
    error_seen = GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT;
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "played without its style");
    gst_message_unref (msg);
  }
  fail_unless (error_seen && failed_seen, "error %d, faceblit-style-failed %d",
      error_seen, failed_seen);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (blit);
  gst_object_unref (pipeline);
  g_free (launch);
}

GST_END_TEST;

/* ---- the faces meta through videoconvert ! videoscale ---------------------- */

typedef struct
{
  GMutex lock;
  GHashTable *faces;            /* PTS -> Face at faceblit's output */
} Recorder;

static GstPadProbeReturn
record_faces (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Recorder *recorder = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  Face *face = g_new0 (Face, 1);

  if (meta_faces (buffer, face, 1) == 1) {
    g_mutex_lock (&recorder->lock);
    g_hash_table_insert (recorder->faces, GUINT_TO_POINTER (GST_BUFFER_PTS (buffer)),
        face);
    g_mutex_unlock (&recorder->lock);
  } else {
    g_free (face);
  }
  return GST_PAD_PROBE_OK;
}

static guint
scaled_edge (guint edge, double scale)
{
  return (guint) lround (edge * scale);
}

/* Runs the astronaut through faceblit ! videoconvert ! videoscale ! a capsfilter of
 * another format and size, and checks the landmarks at the appsink. */
static void
check_survival (const gchar * format, int width, int height)
{
  double sx = (double) width / astronaut->width, sy = (double) height /
      astronaut->height;
  gchar *launch = g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! "
      "imagefreeze num-buffers=3 ! videoconvert ! video/x-raw,format=RGB ! "
      "faceblit name=blit ! videoconvert ! videoscale ! "
      "video/x-raw,format=%s,width=%d,height=%d ! appsink name=sink sync=false",
      astronaut_path, format, width, height);
  GstElement *pipeline = gst_parse_launch (launch, NULL), *blit, *sink;
  Recorder recorder;
  GstSample *sample;
  GstPad *pad;
  guint n_samples = 0, i;

  fail_unless (pipeline != NULL, "cannot build %s", launch);
  g_mutex_init (&recorder.lock);
  recorder.faces = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  blit = gst_bin_get_by_name (GST_BIN (pipeline), "blit");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (blit, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, record_faces, &recorder, NULL);
  gst_object_unref (pad);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstBuffer *buffer = gst_sample_get_buffer (sample);
    GstVideoRegionOfInterestMeta *roi = roi_meta (buffer);
    const GstStructure *caps = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    Face out, *in;

    fail_unless_equals_string (gst_structure_get_string (caps, "format"), format);
    g_mutex_lock (&recorder.lock);
    in = g_hash_table_lookup (recorder.faces,
        GUINT_TO_POINTER (GST_BUFFER_PTS (buffer)));
    g_mutex_unlock (&recorder.lock);
    fail_unless (in != NULL, "faceblit found no face in frame %u", n_samples);
    fail_unless_equals_int (meta_faces (buffer, &out, 1), 1);
    fail_unless_equals_int (out.id, in->id);
    fail_unless_equals_int (out.x, scaled_edge (in->x, sx));
    fail_unless_equals_int (out.y, scaled_edge (in->y, sy));
    fail_unless_equals_int (out.x + out.width, scaled_edge (in->x + in->width, sx));
    fail_unless_equals_int (out.y + out.height, scaled_edge (in->y + in->height, sy));
    for (i = 0; i < FB_N_LANDMARKS; i++) {
      fail_unless (fabs (out.lx[i] - ((in->lx[i] + 0.5) * sx - 0.5)) < 1e-3
          && fabs (out.ly[i] - ((in->ly[i] + 0.5) * sy - 0.5)) < 1e-3,
          "landmark %u at (%.2f, %.2f) from (%.2f, %.2f)", i, out.lx[i], out.ly[i],
          in->lx[i], in->ly[i]);
    }
    /* the ROI meta, which other applications read, is kept and scaled alike */
    fail_unless (roi != NULL, "the ROI meta did not survive");
    fail_unless_equals_int (roi->id, out.id);
    fail_unless (abs ((int) roi->x - (int) out.x) <= 1
        && abs ((int) roi->w - (int) out.width) <= 1
        && abs ((int) roi->y - (int) out.y) <= 1
        && abs ((int) roi->h - (int) out.height) <= 1,
        "ROI %u,%u %ux%u, faces meta %u,%u %ux%u", roi->x, roi->y, roi->w, roi->h,
        out.x, out.y, out.width, out.height);
    n_samples++;
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (n_samples, 3);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (blit);
  gst_object_unref (pipeline);
  g_hash_table_unref (recorder.faces);
  g_mutex_clear (&recorder.lock);
  g_free (launch);
}

GST_START_TEST (test_landmarks_survive_scaling)
{
  check_survival ("I420", 256, 200);
}

GST_END_TEST;

GST_START_TEST (test_landmarks_survive_upscaling)
{
  check_survival ("BGRx", 640, 720);
}

GST_END_TEST;

GST_START_TEST (test_landmarks_survive_conversion)
{
  check_survival ("NV12", astronaut->width, astronaut->height);
}

GST_END_TEST;

static Suite *
messages_suite (void)
{
  Suite *s = suite_create ("faceblit-messages");
  TCase *messages = tcase_create ("messages");
  TCase *meta = tcase_create ("meta");

  tcase_set_timeout (messages, 600);
  tcase_set_timeout (meta, 600);
  suite_add_tcase (s, messages);
  tcase_add_test (messages, test_faces_message);
  tcase_add_test (messages, test_style_messages_and_active_style);
  tcase_add_test (messages, test_style_failed_at_start);
  suite_add_tcase (s, meta);
  tcase_add_test (meta, test_landmarks_survive_scaling);
  tcase_add_test (meta, test_landmarks_survive_upscaling);
  tcase_add_test (meta, test_landmarks_survive_conversion);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *source_data_dir;
  GError *error = NULL;
  int failed;

  fb_test_program_init (&argc, &argv, NULL, &source_data_dir, NULL);
  astronaut_path = fb_test_astronaut_path ();
  if (!astronaut_path || !fb_test_model_path ()) {
    g_print ("SKIP: these tests need %s\n", astronaut_path ? "dlib's model "
        "(libdlib-data)" : "the astronaut portrait (python3-skimage)");
    fb_test_program_finish (source_data_dir, NULL);
    return 77;
  }
  astronaut = fb_image_load (astronaut_path, &error);
  if (!astronaut) {
    g_printerr ("cannot load the astronaut: %s\n", error->message);
    fb_test_program_finish (source_data_dir, NULL);
    return 1;
  }
  source_style = fb_test_source_data_path ("default-style.png");
  source_style_lm = fb_test_source_data_path ("default-style.lm.txt");

  failed = gst_check_run_suite (messages_suite (), "faceblit-messages", __FILE__);

  fb_image_free (astronaut);
  g_free (astronaut_path);
  fb_test_program_finish (source_data_dir, NULL);
  g_free (source_style);
  g_free (source_style_lm);
  return failed;
}
