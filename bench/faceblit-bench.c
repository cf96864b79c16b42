/* faceblit-bench — the measurements behind bench/run. Each command measures one
 * configuration and prints one JSON object on stdout; bench/run starts a fresh process
 * for each so that peak memory belongs to that configuration alone.
 *
 *   engine   per-stage times and per-frame latency of FbEngine on raw I420 frames
 *            (reading a frame from disk is not timed)
 *   element  wall time of filesrc ! rawvideoparse ! ELEMENT ! fakesink after preroll,
 *            with ELEMENT = faceblit or identity: the difference is the element alone
 *   style    cold (empty cache) and warm (cached) preparation of a style exemplar, and
 *            the size of its cache entry
 *   prepare  prepares a style into $FACEBLIT_CACHE_DIR, so that the measured runs find
 *            it there as users' second and later runs do
 *   exemplar renders a style exemplar (and its landmarks) at another size
 *   decode   decodes a video into a raw I420 file at a given size
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "fb-dlib.h"
#include "fb-backend.h"
#include "fb-engine.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-style.h"
#include "fb-synth.h"

#define FRAME_RATE 30
/* Start-up (model, style from the cache, first detection) or one frame take seconds at
 * most: a pipeline that is still silent after this is stuck. */
#define STUCK_TIMEOUT (120 * GST_SECOND)

typedef struct {
  char *input;
  char *output;
  char *style;
  char *landmarks;
  char *model;
  char *element;
  char *backend;
  gboolean cuda_memory;         /* element: frames in CUDA memory around it */
  int width;
  int height;
  int frames;                   /* 0 = all in the input */
  int threads;                  /* 0 = one per core */
  int warm_repeats;
  double max_seconds;           /* 0 = no limit */
} BenchOptions;

static const struct {
  const char *name;
  gsize offset;
} stages[] = {
  {"landmarks", G_STRUCT_OFFSET (FbStageTimes, landmarks)},
  {"guides", G_STRUCT_OFFSET (FbStageTimes, guides)},
  {"seeds", G_STRUCT_OFFSET (FbStageTimes, seeds)},
  {"synthesis", G_STRUCT_OFFSET (FbStageTimes, synthesis)},
  {"voting", G_STRUCT_OFFSET (FbStageTimes, voting)},
  {"temporal", G_STRUCT_OFFSET (FbStageTimes, temporal)},
  {"compositing", G_STRUCT_OFFSET (FbStageTimes, compositing)},
};

#define N_STAGES G_N_ELEMENTS (stages)

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Peak resident set size of this process so far. */
static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return -1;
  return usage.ru_maxrss / 1024.0;      /* kilobytes on Linux */
}

static int
fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("faceblit-bench: %s\n", message);
  return 1;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of n > 0 values (sorts them). */
static double
percentile (double *values, int n, double p)
{
  int rank;

  qsort (values, n, sizeof (double), compare_doubles);
  rank = (int) ceil (p / 100.0 * n);
  return values[CLAMP (rank, 1, n) - 1];
}

static void
print_summary (GString * json, const char *name, double *values, int n)
{
  double sum = 0;
  int i;

  for (i = 0; i < n; i++)
    sum += values[i];
  g_string_append_printf (json, "\"%s\": {\"median\": %.4f, \"p95\": %.4f, "
      "\"mean\": %.4f, \"max\": %.4f}", name, percentile (values, n, 50),
      percentile (values, n, 95), sum / n, percentile (values, n, 100));
}

static char *
sibling_landmarks (const char *image)
{
  const char *dot = strrchr (image, '.');
  g_autofree char *stem = dot ? g_strndup (image, dot - image) : g_strdup (image);
  return g_strconcat (stem, ".lm.txt", NULL);
}

static const char *
landmarks_for (BenchOptions * o)
{
  if (!o->landmarks)
    o->landmarks = sibling_landmarks (o->style);
  return o->landmarks;
}

/* The element's defaults, so that engine runs match the pipelines'. */
static void
default_style_params (FbStyleParams * params)
{
  params->lambda_pos = FB_STYLE_DEFAULT_LAMBDA_POS;
  params->lambda_app = FB_STYLE_DEFAULT_LAMBDA_APP;
}

static gboolean
check_input (const BenchOptions * o, gsize * frame_size, int *n_frames)
{
  GStatBuf st;

  if (!o->input || o->width <= 0 || o->height <= 0 || o->width % 2 || o->height % 2) {
    fail ("give --input FILE.i420 and even --width and --height");
    return FALSE;
  }
  if (g_stat (o->input, &st) != 0) {
    fail ("cannot read %s: %s", o->input, g_strerror (errno));
    return FALSE;
  }
  *frame_size = (gsize) o->width * o->height * 3 / 2;
  *n_frames = (int) (st.st_size / *frame_size);
  if (o->frames > 0)
    *n_frames = MIN (*n_frames, o->frames);
  if (*n_frames < 2) {
    fail ("%s holds fewer than two %dx%d I420 frames", o->input, o->width, o->height);
    return FALSE;
  }
  return TRUE;
}

static int
cmd_engine (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FbStyle) style = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree char *model_error = NULL;
  double *per_stage[N_STAGES], *totals;
  FbShapeModel *model;
  FbEngine *engine;
  FbStyleParams style_params;
  FbRenderParams params;
  FbFaceResult faces[16];
  FbFrame frame;
  gsize frame_size;
  int n_frames, n_done = 0, with_face = 0, n_faces = 0, i, s;
  double first_ms = 0, worst_ms = 0, sum_ms = 0, start;
  gboolean capped = FALSE;
  GString *json;
  FILE *input;

  if (!o->style)
    return fail ("engine needs --style");
  if (!check_input (o, &frame_size, &n_frames))
    return 1;
  default_style_params (&style_params);
  model = fb_shape_model_load (o->model, &model_error);
  if (!model)
    return fail ("cannot load the landmark model %s: %s", o->model, model_error);
  style = fb_style_load (o->style, landmarks_for (o), NULL, &style_params, &error);
  if (!style)
    return fail ("%s", error->message);
  if (g_strcmp0 (o->backend, "cuda") == 0) {
    FbBackend *backend = fb_backend_cuda_new (-1, o->threads, &error);
    if (!backend)
      return fail ("%s", error->message);
    engine = fb_engine_new_with_backend (model, backend, o->threads, FALSE, &error);
  } else {
    engine = fb_engine_new (model, o->threads, &error);
  }
  if (!engine)
    return fail ("%s", error->message);
  fb_engine_set_style (engine, style);
  fb_render_params_init_defaults (&params);

  input = g_fopen (o->input, "rb");
  if (!input)
    return fail ("cannot open %s: %s", o->input, g_strerror (errno));
  buffer = g_malloc (frame_size);
  frame.format = FB_FORMAT_I420;
  /* what rawvideoparse announces for these sizes, as the element would see it */
  frame.matrix = o->height > 576 ? FB_YUV_BT709_LIMITED : FB_YUV_BT601_LIMITED;
  frame.width = o->width;
  frame.height = o->height;
  frame.planes[0] = buffer;
  frame.planes[1] = buffer + o->width * o->height;
  frame.planes[2] = frame.planes[1] + o->width * o->height / 4;
  frame.strides[0] = o->width;
  frame.strides[1] = frame.strides[2] = o->width / 2;

  for (s = 0; s < (int) N_STAGES; s++)
    per_stage[s] = g_new (double, n_frames);
  totals = g_new (double, n_frames);

  start = now_ms ();
  for (i = 0; i < n_frames; i++) {
    FbStageTimes times;
    double t0, t1;
    int n;

    if (fread (buffer, 1, frame_size, input) != frame_size)
      break;
    t0 = now_ms ();
    n = fb_engine_process (engine, &frame, (gint64) i * GST_SECOND / FRAME_RATE,
        &params, faces, G_N_ELEMENTS (faces));
    t1 = now_ms ();
    fb_engine_get_stage_times (engine, &times);
    for (s = 0; s < (int) N_STAGES; s++)
      per_stage[s][n_done] = G_STRUCT_MEMBER (double, &times, stages[s].offset);
    totals[n_done] = t1 - t0;
    if (i == 0)
      first_ms = t1 - t0;
    else
      worst_ms = MAX (worst_ms, t1 - t0);
    sum_ms += t1 - t0;
    with_face += n > 0;
    n_faces += MAX (n, 0);
    n_done++;
    if (o->max_seconds > 0 && now_ms () - start > o->max_seconds * 1000 && i + 1 < n_frames) {
      capped = TRUE;
      break;
    }
  }
  fclose (input);
  fb_engine_free (engine);
  fb_shape_model_free (model);
  if (n_done < 2)
    return fail ("could read only %d frames from %s", n_done, o->input);

  json = g_string_new ("{");
  g_string_append_printf (json, "\"frames\": %d, \"frames_with_face\": %d, "
      "\"faces\": %d, "
      "\"capped\": %s, \"threads\": %d, \"style_from_cache\": %s, \"first_ms\": %.4f, "
      "\"worst_ms\": %.4f, \"mean_ms\": %.4f, \"peak_rss_mb\": %.1f, \"voting\": %d, "
      "\"lambda_temporal\": %g, \"stages\": {", n_done, with_face, n_faces,
      capped ? "true" : "false", o->threads, style->from_cache ? "true" : "false",
      first_ms, worst_ms, sum_ms / n_done, peak_rss_mb (), params.voting,
      params.lambda_temporal);
  for (s = 0; s < (int) N_STAGES; s++) {
    print_summary (json, stages[s].name, per_stage[s], n_done);
    g_string_append (json, ", ");
    g_free (per_stage[s]);
  }
  /* steady state: the first frame detects synchronously and is reported apart */
  print_summary (json, "total", totals + 1, n_done - 1);
  g_string_append (json, "}}");
  g_print ("%s\n", json->str);
  g_string_free (json, TRUE);
  g_free (totals);
  return 0;
}

static void
count_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

/* The first message of type `wanted`, or ERROR, on the bus; NULL on timeout. */
static GstMessage *
wait_for (GstBus * bus, GstMessageType wanted, GstClockTime timeout)
{
  return gst_bus_timed_pop_filtered (bus, timeout, wanted | GST_MESSAGE_ERROR);
}

static char *
error_text (GstMessage * msg)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (msg, &error, &debug);
  return g_strdup (error->message);
}

static gboolean
set_element_property (GstElement * element, const char *name, const char *value)
{
  if (!g_object_class_find_property (G_OBJECT_GET_CLASS (element), name)) {
    fail ("the %s element has no '%s' property", GST_OBJECT_NAME (element), name);
    return FALSE;
  }
  gst_util_set_object_arg (G_OBJECT (element), name, value);
  return TRUE;
}

static void
print_json_string (GString * json, const char *s)
{
  g_string_append_c (json, '"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_c (json, '\\');
    if ((guchar) * s < 0x20)
      g_string_append_c (json, ' ');
    else
      g_string_append_c (json, *s);
  }
  g_string_append_c (json, '"');
}

static int
cmd_element (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autofree char *description = NULL, *failure = NULL;
  GstElement *pipeline, *source, *under_test, *sink;
  GstMessage *msg;
  gsize frame_size;
  int n_frames, rendered = 0;
  double t0 = 0, t1 = 0;
  gboolean capped = FALSE, is_faceblit;
  GString *json;

  if (!check_input (o, &frame_size, &n_frames))
    return 1;
  is_faceblit = g_strcmp0 (o->element, "faceblit") == 0;
  if (!is_faceblit && g_strcmp0 (o->element, "identity") != 0)
    return fail ("--element must be faceblit or identity");

  /* One streaming thread and no queue: reading, parsing and the element run one after
   * the other, so the identity pipeline's time is exactly the part that is not the
   * element's. */
  description = g_strdup_printf ("filesrc name=source ! rawvideoparse width=%d height=%d "
      "format=i420 framerate=%d/1 ! %s%s name=under_test%s ! fakesink name=sink sync=false "
      "signal-handoffs=true", o->width, o->height, FRAME_RATE,
      o->cuda_memory ? "cudaupload ! " : "", o->element,
      o->cuda_memory ? " ! cudadownload" : "");
  pipeline = gst_parse_launch (description, &error);
  if (!pipeline)
    return fail ("cannot build '%s': %s", description, error->message);
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  under_test = gst_bin_get_by_name (GST_BIN (pipeline), "under_test");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (source, "location", o->input, "blocksize", (guint) frame_size,
      "num-buffers", n_frames, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (count_handoff), &rendered);
  if (is_faceblit) {
    g_autofree char *threads = g_strdup_printf ("%d", o->threads);
    if ((o->style && (!set_element_property (under_test, "style", o->style)
                || !set_element_property (under_test, "style-landmarks",
                    landmarks_for (o))))
        || !set_element_property (under_test, "threads", threads)
        || (o->backend && !set_element_property (under_test, "backend", o->backend)))
      return 1;
  }
  gst_object_unref (source);
  gst_object_unref (under_test);
  gst_object_unref (sink);

  /* Preroll pushes the first frame through, so that start-up (model, style, first
   * detection) stays out of the timed part. */
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  msg = wait_for (bus, GST_MESSAGE_ASYNC_DONE, STUCK_TIMEOUT);
  if (!msg) {
    failure = g_strdup_printf ("the first frame did not pass within %d s",
        (int) (STUCK_TIMEOUT / GST_SECOND));
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    failure = error_text (msg);
  } else {
    GstClockTime limit = o->max_seconds > 0 ? o->max_seconds * GST_SECOND :
        GST_CLOCK_TIME_NONE;
    gst_message_unref (msg);
    t0 = now_ms ();
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    msg = wait_for (bus, GST_MESSAGE_EOS, limit);
    if (!msg) {
      capped = TRUE;
      gst_element_send_event (pipeline, gst_event_new_eos ());
      msg = wait_for (bus, GST_MESSAGE_EOS, STUCK_TIMEOUT);
    }
    t1 = now_ms ();
    if (!msg)
      failure = g_strdup ("the pipeline did not stop after end-of-stream was sent");
    else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      failure = error_text (msg);
  }
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  json = g_string_new ("{");
  if (failure) {
    g_string_append (json, "\"error\": ");
    print_json_string (json, failure);
  } else {
    /* the prerolled frame is counted by the sink but was processed before t0 */
    g_string_append_printf (json, "\"frames\": %d, \"seconds\": %.4f, \"capped\": %s",
        rendered - 1, (t1 - t0) / 1000.0, capped ? "true" : "false");
  }
  g_string_append_printf (json, ", \"peak_rss_mb\": %.1f}", peak_rss_mb ());
  g_print ("%s\n", json->str);
  g_string_free (json, TRUE);
  return 0;
}

static gint64
directory_bytes (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  gint64 total = 0;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    GStatBuf st;
    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      total += directory_bytes (child);
    else if (g_stat (child, &st) == 0)
      total += st.st_size;
  }
  return total;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child,
            G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static int
cmd_style (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cache = NULL;
  g_autofree double *warm = NULL;
  FbStyleParams params;
  FbStyle *style;
  double t0, cold_ms;
  gboolean cold_hit, warm_hit = TRUE;
  gint64 cache_bytes;
  int i;
  GString *json;

  if (!o->style)
    return fail ("style needs --style");
  default_style_params (&params);
  /* A cache of its own, set before the library first reads the variable, so that the
   * first load is truly cold and users' caches are never touched. */
  cache = g_dir_make_tmp ("faceblit-bench-cache-XXXXXX", &error);
  if (!cache)
    return fail ("cannot make a temporary cache folder: %s", error->message);
  g_setenv ("FACEBLIT_CACHE_DIR", cache, TRUE);

  t0 = now_ms ();
  style = fb_style_load (o->style, landmarks_for (o), NULL, &params, &error);
  cold_ms = now_ms () - t0;
  if (!style) {
    remove_tree (cache);
    return fail ("%s", error->message);
  }
  cold_hit = style->from_cache;
  fb_style_unref (style);
  cache_bytes = directory_bytes (cache);

  warm = g_new (double, MAX (o->warm_repeats, 1));
  for (i = 0; i < o->warm_repeats; i++) {
    t0 = now_ms ();
    style = fb_style_load (o->style, o->landmarks, NULL, &params, &error);
    warm[i] = now_ms () - t0;
    if (!style) {
      remove_tree (cache);
      return fail ("%s", error->message);
    }
    warm_hit = warm_hit && style->from_cache;
    fb_style_unref (style);
  }
  remove_tree (cache);

  json = g_string_new ("{");
  g_string_append_printf (json, "\"cold_ms\": %.3f, \"cold_from_cache\": %s, "
      "\"warm_from_cache\": %s, \"cache_bytes\": %" G_GINT64_FORMAT ", \"warm_ms\": [",
      cold_ms, cold_hit ? "true" : "false", warm_hit ? "true" : "false", cache_bytes);
  for (i = 0; i < o->warm_repeats; i++)
    g_string_append_printf (json, "%s%.3f", i ? ", " : "", warm[i]);
  g_string_append_printf (json, "], \"peak_rss_mb\": %.1f}", peak_rss_mb ());
  g_print ("%s\n", json->str);
  g_string_free (json, TRUE);
  return 0;
}

static int
cmd_prepare (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  FbStyleParams params;
  FbStyle *style;
  double t0 = now_ms ();

  if (!o->style)
    return fail ("prepare needs --style");
  default_style_params (&params);
  style = fb_style_load (o->style, landmarks_for (o), NULL, &params, &error);
  if (!style)
    return fail ("%s", error->message);
  g_print ("{\"ms\": %.3f, \"from_cache\": %s}\n", now_ms () - t0,
      style->from_cache ? "true" : "false");
  fb_style_unref (style);
  return 0;
}

/* The exemplar scaled to fit width x height, centred, landmarks alike (all of them stay
 * inside, which cropping would not promise). */
static int
cmd_exemplar (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) image = NULL, out = NULL;
  g_autofree char *out_landmarks = NULL;
  FbLandmarks lm;
  FbSimilarity placement;
  float scale;
  GString *json;

  if (!o->style || !o->output)
    return fail ("exemplar needs --style and --output");
  image = fb_image_load (o->style, &error);
  if (!image || !fb_landmarks_load (landmarks_for (o), &lm, &error))
    return fail ("%s", error->message);
  scale = MIN ((float) o->width / image->width, (float) o->height / image->height);
  out = fb_synth_face_frame (image, o->width, o->height, 3, o->width / 2.0f,
      o->height / 2.0f, scale, 0);
  placement = (FbSimilarity) {
  scale, 0, o->width / 2.0f - scale * image->width / 2.0f,
        o->height / 2.0f - scale * image->height / 2.0f};
  fb_landmarks_transform (&lm, placement, &lm);
  out_landmarks = sibling_landmarks (o->output);
  if (!fb_image_save_png (out, o->output, &error)
      || !fb_landmarks_save (out_landmarks, &lm, &error))
    return fail ("%s", error->message);
  json = g_string_new ("{\"image\": ");
  print_json_string (json, o->output);
  g_string_append (json, ", \"landmarks\": ");
  print_json_string (json, out_landmarks);
  g_print ("%s}\n", json->str);
  g_string_free (json, TRUE);
  return 0;
}

static int
cmd_decode (BenchOptions * o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autofree char *description = NULL;
  GstElement *pipeline, *source, *sink;
  GstMessage *msg;
  GStatBuf st;
  gboolean ok;

  if (!o->input || !o->output || o->width <= 0 || o->height <= 0)
    return fail ("decode needs --input, --output, --width and --height");
  description = g_strdup_printf ("filesrc name=source ! decodebin ! videoconvert ! "
      "videoscale ! video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
      "filesink name=sink", o->width, o->height);
  pipeline = gst_parse_launch (description, &error);
  if (!pipeline)
    return fail ("cannot build '%s': %s", description, error->message);
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (source, "location", o->input, NULL);
  g_object_set (sink, "location", o->output, NULL);
  gst_object_unref (source);
  gst_object_unref (sink);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = wait_for (bus, GST_MESSAGE_EOS, GST_CLOCK_TIME_NONE);
  ok = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (!ok) {
    g_autofree char *text = error_text (msg);
    fail ("cannot decode %s: %s", o->input, text);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  if (!ok)
    return 1;
  if (g_stat (o->output, &st) != 0)
    return fail ("%s was not written", o->output);
  g_print ("{\"frames\": %d}\n", (int) (st.st_size / ((gsize) o->width * o->height * 3 / 2)));
  return 0;
}

int
main (int argc, char **argv)
{
  BenchOptions o = { 0 };
  GOptionEntry entries[] = {
    {"input", 'i', 0, G_OPTION_ARG_FILENAME, &o.input, "Raw I420 frames (engine, "
          "element) or a video (decode)", "FILE"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "File to write (exemplar, "
          "decode)", "FILE"},
    {"width", 'W', 0, G_OPTION_ARG_INT, &o.width, "Frame width", "PX"},
    {"height", 'H', 0, G_OPTION_ARG_INT, &o.height, "Frame height", "PX"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &o.frames, "Frames to use (default: all)", "N"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &o.threads, "CPU threads; 0 (default) = one "
          "per core", "N"},
    {"backend", 0, 0, G_OPTION_ARG_STRING, &o.backend, "faceblit's backend property "
          "(element), cpu or cuda (engine)", "NAME"},
    {"cuda-memory", 0, 0, G_OPTION_ARG_NONE, &o.cuda_memory, "Frames in CUDA memory "
          "around the element: cudaupload ! ELEMENT ! cudadownload (element)", NULL},
    {"element", 0, 0, G_OPTION_ARG_STRING, &o.element, "faceblit or identity (element)",
        "NAME"},
    {"style", 's', 0, G_OPTION_ARG_FILENAME, &o.style, "Style exemplar (PNG or JPEG)",
        "IMAGE"},
    {"landmarks", 'l', 0, G_OPTION_ARG_FILENAME, &o.landmarks, "Its landmarks (default: "
          "NAME.lm.txt beside NAME.png)", "FILE"},
    {"model", 0, 0, G_OPTION_ARG_FILENAME, &o.model, "dlib's 68-point shape predictor",
        "FILE"},
    {"warm-repeats", 0, 0, G_OPTION_ARG_INT, &o.warm_repeats, "Cached loads to time "
          "(style; default 5)", "N"},
    {"max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o.max_seconds, "Stop early after this "
          "long and report the frames done (engine, element)", "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("engine|element|style|prepare|exemplar|decode");
  g_autoptr (GError) error = NULL;
  const char *command;

  o.warm_repeats = 5;
  g_option_context_set_summary (context, "Measures one configuration of faceblit and "
      "prints the result as one JSON object.\nUse bench/run, which runs them all and "
      "writes the tables.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc != 2)
    return fail ("give one command: engine, element, style, prepare, exemplar or "
        "decode "
        "(see --help)");
  if (!o.model)
    o.model = g_strdup (FB_DEFAULT_MODEL);
  command = argv[1];
  if (g_str_equal (command, "engine"))
    return cmd_engine (&o);
  if (g_str_equal (command, "element"))
    return cmd_element (&o);
  if (g_str_equal (command, "style"))
    return cmd_style (&o);
  if (g_str_equal (command, "prepare"))
    return cmd_prepare (&o);
  if (g_str_equal (command, "exemplar"))
    return cmd_exemplar (&o);
  if (g_str_equal (command, "decode"))
    return cmd_decode (&o);
  return fail ("unknown command '%s': use engine, element, style, prepare, exemplar "
      "or decode",
      command);
}
