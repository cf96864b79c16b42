/* faceblit — the element on a real GPU, in pipelines as users build them: frames in CUDA
 * memory (appsrc ! cudaupload ! faceblit ! cudadownload ! appsink) and in system memory
 * with backend=cuda, against backend=cpu byte for byte; a caps change and a style switch
 * while playing; a forced device failure (backend=auto goes on on the CPU with one
 * warning, backend=cuda stops with an error); and the element's time per frame with
 * landmark tracking at 1080p and 4K. Skips with the reason where GStreamer's nvcodec
 * plugin finds no GPU (it then registers no cudaupload) or the plugin has no CUDA
 * backend. tools/gpu-check runs it on the machines lent with a GPU.
 * Environment: FB_ASTRONAUT (the face), FB_DLIB_MODEL (the tracker's model; gpu-check
 * carries a trimmed one), GST_PLUGIN_PATH (the plugin).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "fb-image-io.h"
#include "fb-synth.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

/* A frame that takes longer than this (tracking, stylization, two copies) is stuck. */
#define PULL_TIMEOUT (30 * GST_SECOND)
/* how often the bus is read meanwhile, for an error that stopped the stream */
#define PULL_STEP (GST_SECOND / 20)

typedef struct {
  FbTestStyles styles;
  char *dir;
} Data;

static Data data;

/* A pipeline around one faceblit, fed one frame at a time. */
typedef struct {
  GstElement *pipeline, *src, *blit, *sink;
  GstBus *bus;
  GstVideoInfo info;
  guint n_pushed;
  guint n_warnings, n_errors;
  gboolean on_gpu;              /* it said "Stylizing on CUDA ..." */
  guint style_ready_after;      /* frames pushed when "faceblit-style-ready" came */
  char *first_warning, *first_error;
} Run;

static void
run_start (Run * run, const char *element, gboolean cuda_memory, GstVideoFormat format,
    int width, int height, const char *properties)
{
  g_autofree char *description = g_strdup_printf ("appsrc name=src format=time ! %s"
      "%s name=blit %s ! %sappsink name=sink sync=false",
      cuda_memory ? "cudaupload name=upload ! video/x-raw(memory:CUDAMemory) ! " : "",
      element,
      properties ? properties : "",
      cuda_memory ? "video/x-raw(memory:CUDAMemory) ! cudadownload ! " : "");
  GError *error = NULL;

  memset (run, 0, sizeof (*run));
  run->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  run->src = gst_bin_get_by_name (GST_BIN (run->pipeline), "src");
  run->blit = gst_bin_get_by_name (GST_BIN (run->pipeline), "blit");
  run->sink = gst_bin_get_by_name (GST_BIN (run->pipeline), "sink");
  run->bus = gst_element_get_bus (run->pipeline);
  fb_test_video_info_init (&run->info, format, width, height);
  gst_app_src_set_caps (GST_APP_SRC (run->src), gst_video_info_to_caps (&run->info));
  if (g_str_equal (element, "faceblit"))
    g_object_set (run->blit, "model", fb_test_model_path (), NULL);
  /* ASYNC until the sink has a frame */
  (void) gst_element_set_state (run->pipeline, GST_STATE_PLAYING);
}

/* Takes what the pipeline posted so far into the run's counts. */
static void
run_read_bus (Run * run)
{
  GstMessage *m;

  while ((m = gst_bus_pop (run->bus))) {
    GError *error = NULL;
    gchar *debug = NULL;
    const GstStructure *s = gst_message_get_structure (m);
    switch (GST_MESSAGE_TYPE (m)) {
      case GST_MESSAGE_ERROR:
        gst_message_parse_error (m, &error, &debug);
        if (run->n_errors++ == 0)
          run->first_error = g_strdup_printf ("%s (%s)", error->message, debug);
        break;
      case GST_MESSAGE_WARNING:
        gst_message_parse_warning (m, &error, &debug);
        if (run->n_warnings++ == 0)
          run->first_warning = g_strdup_printf ("%s (%s)", error->message, debug);
        break;
      case GST_MESSAGE_INFO:
        gst_message_parse_info (m, &error, &debug);
        if (g_str_has_prefix (error->message, "Stylizing on CUDA"))
          run->on_gpu = TRUE;
        break;
      case GST_MESSAGE_ELEMENT:
        if (gst_structure_has_name (s, "faceblit-style-ready"))
          run->style_ready_after = run->n_pushed;
        break;
      default:
        break;
    }
    g_clear_error (&error);
    g_free (debug);
    gst_message_unref (m);
  }
}

/* Pushes `frame` (kept by the caller) and returns the pipeline's output for it, or NULL
 * when none came: an error stopped the stream, or nothing came for PULL_TIMEOUT. */
static GstSample *
run_push (Run * run, GstBuffer * frame)
{
  GstBuffer *copy = gst_buffer_copy (frame);
  GstSample *sample = NULL;
  GstClockTime waited;

  GST_BUFFER_PTS (copy) = run->n_pushed * FB_TEST_FRAME_DURATION;
  GST_BUFFER_DURATION (copy) = FB_TEST_FRAME_DURATION;
  if (gst_app_src_push_buffer (GST_APP_SRC (run->src), copy) != GST_FLOW_OK)
    return NULL;
  run->n_pushed++;
  for (waited = 0; !sample && run->n_errors == 0 && waited < PULL_TIMEOUT;
      waited += PULL_STEP) {
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (run->sink), PULL_STEP);
    run_read_bus (run);
  }
  return sample;
}

/* New caps for the frames pushed from now on. */
static void
run_set_caps (Run * run, GstVideoFormat format, int width, int height)
{
  fb_test_video_info_init (&run->info, format, width, height);
  gst_app_src_set_caps (GST_APP_SRC (run->src), gst_video_info_to_caps (&run->info));
}

static void
run_stop (Run * run)
{
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  run_read_bus (run);
  gst_object_unref (run->bus);
  gst_object_unref (run->sink);
  gst_object_unref (run->blit);
  gst_object_unref (run->src);
  gst_object_unref (run->pipeline);
  g_free (run->first_warning);
  g_free (run->first_error);
}

/* Frame i of n: the astronaut moving sideways and nearer, turning a little. */
static GstBuffer *
moving_frame (const GstVideoInfo * info, float size, int i, int n)
{
  int width = GST_VIDEO_INFO_WIDTH (info), height = GST_VIDEO_INFO_HEIGHT (info);
  float t = (float) i / n;
  g_autoptr (FbImage) rgb = fb_synth_face_frame (data.styles.astronaut.image, width,
      height, 3, width * (0.5f + 0.05f * t), height * 0.5f, size * (1 + 0.1f * t),
      0.06f * t);

  return fb_test_buffer_from_rgb (rgb, info);
}

/* How many bytes of the visible picture differ between two frames of the same caps, and
 * by at most how much (*most). */
static guint64
bytes_differing (GstBuffer * a, GstBuffer * b, const GstVideoInfo * info, int *most)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  GstVideoFrame fa, fb;
  guint64 n = 0;
  guint c, p;

  *most = 0;
  if (!gst_video_frame_map (&fa, (GstVideoInfo *) info, a, GST_MAP_READ))
    return G_MAXUINT64;
  if (!gst_video_frame_map (&fb, (GstVideoInfo *) info, b, GST_MAP_READ)) {
    gst_video_frame_unmap (&fa);
    return G_MAXUINT64;
  }
  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (&fa); p++) {
    int row_bytes = 0, rows = 0, x, y;
    /* a plane's visible bytes: its first component's width times its pixel stride */
    for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++)
      if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, c) == p) {
        row_bytes = GST_VIDEO_FRAME_COMP_WIDTH (&fa, c) * GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, c);
        rows = GST_VIDEO_FRAME_COMP_HEIGHT (&fa, c);
        break;
      }
    for (y = 0; y < rows; y++) {
      const guint8 *ra = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, p)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&fa, p);
      const guint8 *rb = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, p)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&fb, p);
      for (x = 0; x < row_bytes; x++) {
        int d = abs (ra[x] - rb[x]);
        n += d != 0;
        *most = MAX (*most, d);
      }
    }
  }
  gst_video_frame_unmap (&fb);
  gst_video_frame_unmap (&fa);
  return n;
}

/* The CUDA context an element's pad answers a context query with, or NULL. */
static gpointer
cuda_context_of (GstElement * element, const char *pad_name)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  GstQuery *query = gst_query_new_context ("gst.cuda.context");
  gpointer context = NULL;

  if (gst_pad_query (pad, query)) {
    GstContext *answer;
    const GstStructure *s;
    int i;
    gst_query_parse_context (query, &answer);
    s = answer ? gst_context_get_structure (answer) : NULL;
    for (i = 0; s && i < gst_structure_n_fields (s) && !context; i++) {
      const GValue *v = gst_structure_get_value (s, gst_structure_nth_field_name (s, i));
      if (G_VALUE_HOLDS_OBJECT (v))
        context = g_value_get_object (v);
    }
  }
  gst_query_unref (query);
  gst_object_unref (pad);
  return context;
}

/* Whether faceblit shares cudaupload's CUDA context: only then do the frames stay on
 * the GPU (the element maps other CUDA memory on the host). */
static gboolean
run_shares_context (Run * run)
{
  g_autoptr (GstElement) upload = gst_bin_get_by_name (GST_BIN (run->pipeline), "upload");
  gpointer theirs = upload ? cuda_context_of (upload, "src") : NULL;
  gpointer ours = cuda_context_of (run->blit, "src");

  if (!theirs || ours != theirs)
    g_test_message ("faceblit's CUDA context %p, cudaupload's %p", ours, theirs);
  return theirs && ours == theirs;
}

/* What happens between frames of a scripted run. */
typedef enum {
  STEP_FRAME,                   /* push the next frame */
  STEP_CAPS,                    /* new caps: format, width, height */
  STEP_STYLE,                   /* style=the blue astronaut, and time to prepare it */
} StepKind;

typedef struct {
  StepKind kind;
  GstVideoFormat format;
  int width, height;
} Step;

/* The outputs of one scripted run, the stream's caps for each. */
typedef struct {
  GPtrArray *outputs;           /* GstSample */
  guint style_ready_after;
  guint n_warnings, n_errors;
  gboolean on_gpu;
  gboolean shares_context;      /* (CUDA memory) faceblit's and cudaupload's are one */
} Outputs;

static void
play_script (const char *properties, gboolean cuda_memory, const Step * steps,
    int n_steps, Outputs * out)
{
  Run run;
  int i, frame = 0, n_frames = 0;

  for (i = 0; i < n_steps; i++)
    n_frames += steps[i].kind == STEP_FRAME;
  g_assert_cmpint (steps[0].kind, ==, STEP_CAPS);
  run_start (&run, "faceblit", cuda_memory, steps[0].format, steps[0].width,
      steps[0].height, properties);
  out->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_sample_unref);
  for (i = 1; i < n_steps; i++) {
    const Step *s = &steps[i];
    if (s->kind == STEP_CAPS) {
      run_set_caps (&run, s->format, s->width, s->height);
    } else if (s->kind == STEP_STYLE) {
      g_object_set (run.blit, "style", data.styles.blue, NULL);
    } else {
      GstBuffer *in = moving_frame (&run.info, GST_VIDEO_INFO_HEIGHT (&run.info) / 600.0f,
          frame++, n_frames);
      GstSample *sample = run_push (&run, in);
      gst_buffer_unref (in);
      if (!sample) {
        g_test_message ("no output for frame %d: %s", frame - 1,
            run.first_error ? run.first_error : "(no error posted)");
        g_assert_nonnull (sample);
        break;
      }
      g_ptr_array_add (out->outputs, sample);
      if (frame == 1 && cuda_memory)
        out->shares_context = run_shares_context (&run);
      /* the frame after a switch starts the style's preparation on a thread, and a
       * frame once it is done applies it: both runs give it the same time */
      if (i > 1 && steps[i - 1].kind == STEP_STYLE)
        g_usleep (3 * G_USEC_PER_SEC);
    }
  }
  run_stop (&run);
  out->style_ready_after = run.style_ready_after;
  out->n_warnings = run.n_warnings;
  out->n_errors = run.n_errors;
  out->on_gpu = run.on_gpu;
  if (run.n_errors || run.n_warnings)
    g_test_message ("%s: %u error(s), %u warning(s): %s", properties, run.n_errors,
        run.n_warnings, run.first_error ? run.first_error : run.first_warning);
}

/* The script on the GPU (frames in CUDA memory or in system memory) and on the CPU:
 * the same bytes in every frame. */
static void
compare_script (gboolean cuda_memory, const Step * steps, int n_steps)
{
  Outputs cpu = { 0 }, gpu = { 0 };
  guint i;

  play_script ("backend=cpu", FALSE, steps, n_steps, &cpu);
  play_script ("backend=cuda", cuda_memory, steps, n_steps, &gpu);
  g_assert_cmpuint (cpu.n_errors + cpu.n_warnings, ==, 0);
  g_assert_cmpuint (gpu.n_errors + gpu.n_warnings, ==, 0);
  g_assert_true (gpu.on_gpu);
  if (cuda_memory)
    g_assert_true (gpu.shares_context);
  g_assert_cmpuint (gpu.style_ready_after, ==, cpu.style_ready_after);
  for (i = 0; i < (guint) n_steps; i++)
    if (steps[i].kind == STEP_STYLE)    /* the first style's came at the first frame */
      g_assert_cmpuint (cpu.style_ready_after, >, 1);
  g_assert_cmpuint (gpu.outputs->len, ==, cpu.outputs->len);
  for (i = 0; i < MIN (cpu.outputs->len, gpu.outputs->len); i++) {
    GstSample *a = g_ptr_array_index (cpu.outputs, i), *b = g_ptr_array_index (gpu.outputs, i);
    GstVideoInfo info, info_b;
    guint64 differ;
    int most;

    g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (a)));
    g_assert_true (gst_video_info_from_caps (&info_b, gst_sample_get_caps (b)));
    g_assert_cmpint (GST_VIDEO_INFO_FORMAT (&info_b), ==, GST_VIDEO_INFO_FORMAT (&info));
    g_assert_cmpint (GST_VIDEO_INFO_WIDTH (&info_b), ==, GST_VIDEO_INFO_WIDTH (&info));
    g_assert_cmpint (GST_VIDEO_INFO_HEIGHT (&info_b), ==, GST_VIDEO_INFO_HEIGHT (&info));
    differ = bytes_differing (gst_sample_get_buffer (a), gst_sample_get_buffer (b), &info,
        &most);
    g_test_message ("frame %u, %s %dx%d: %" G_GUINT64_FORMAT " bytes differ, by at most %d",
        i, gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info)),
        GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info), differ, most);
    g_assert_cmpuint (differ, ==, 0);
  }
  g_ptr_array_unref (cpu.outputs);
  g_ptr_array_unref (gpu.outputs);
}

#define CAPS(format, w, h) { STEP_CAPS, GST_VIDEO_FORMAT_##format, w, h }
#define FRAME { STEP_FRAME }
#define FRAMES_4 FRAME, FRAME, FRAME, FRAME
#define STYLE { STEP_STYLE }

static void
test_cuda_memory (gconstpointer format)
{
  const Step steps[] = {
    {STEP_CAPS, GPOINTER_TO_INT (format), 1280, 720}, FRAMES_4, FRAMES_4
  };
  compare_script (TRUE, steps, G_N_ELEMENTS (steps));
}

static void
test_system_memory (void)
{
  const Step steps[] = { CAPS (I420, 1280, 720), FRAMES_4, FRAMES_4 };
  compare_script (FALSE, steps, G_N_ELEMENTS (steps));
}

/* A new size and format in the middle of the stream, in CUDA memory. */
static void
test_caps_change (void)
{
  const Step steps[] = {
    CAPS (I420, 1280, 720), FRAMES_4, CAPS (NV12, 960, 540), FRAMES_4,
    CAPS (RGBA, 1280, 720), FRAMES_4
  };
  compare_script (TRUE, steps, G_N_ELEMENTS (steps));
}

/* Another exemplar while playing, in CUDA memory: the style is prepared on a thread and
 * swapped in on the GPU. */
static void
test_style_switch (void)
{
  const Step steps[] = { CAPS (I420, 1280, 720), FRAMES_4, STYLE, FRAMES_4, FRAMES_4 };
  compare_script (TRUE, steps, G_N_ELEMENTS (steps));
}

/* FACEBLIT_CUDA_FAIL_AFTER makes a launch fail as a lost GPU would: with backend=auto
 * the element warns once and goes on on the CPU, on frames that are still in CUDA
 * memory (the one the GPU failed in goes on as the GPU left it: the CPU cannot reach
 * it); with backend=cuda it stops with an error. */
static void
test_forced_failure (void)
{
  const char *backends[] = { "backend=auto", "backend=cuda" };
  guint b;

  for (b = 0; b < G_N_ELEMENTS (backends); b++) {
    Run run;
    int i, n = 8, stylized = 0;

    g_setenv ("FACEBLIT_CUDA_FAIL_AFTER", "60", TRUE);
    run_start (&run, "faceblit", TRUE, GST_VIDEO_FORMAT_I420, 1280, 720, backends[b]);
    for (i = 0; i < n; i++) {
      GstBuffer *in = moving_frame (&run.info, 1.2f, i, n);
      GstSample *sample = run_push (&run, in);
      if (sample) {
        int most;
        stylized += bytes_differing (in, gst_sample_get_buffer (sample), &run.info, &most)
            > GST_VIDEO_INFO_SIZE (&run.info) / 200;
        gst_sample_unref (sample);
      }
      gst_buffer_unref (in);
      if (!sample)
        break;
    }
    g_unsetenv ("FACEBLIT_CUDA_FAIL_AFTER");
    g_test_message ("forced failure, %s: %d of %d frames out, %d stylized; %u warning(s): "
        "%s; %u error(s): %s", backends[b], i, n, stylized, run.n_warnings,
        run.first_warning, run.n_errors, run.first_error);
    g_assert_true (run.on_gpu);
    if (b == 0) {
      g_assert_cmpint (i, ==, n);
      g_assert_cmpint (stylized, >=, n - 1);
      g_assert_cmpuint (run.n_warnings, ==, 1);
      g_assert_cmpuint (run.n_errors, ==, 0);
      g_assert_nonnull (run.first_warning ? strstr (run.first_warning, "forced") : NULL);
    } else {
      g_assert_cmpint (i, <, n);
      g_assert_cmpuint (run.n_errors, >=, 1);
    }
    run_stop (&run);
  }
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The median time per frame of an element in the pipeline, frames 10 on (the first fill
 * the caches, allocate, detect); the face is tracked as in any stream (test_timing lets
 * detection run on its thread). */
static double
time_element (const char *element, const char *properties, gboolean cuda_memory,
    GstBuffer ** frames, int n_distinct, int n, const GstVideoInfo * info)
{
  double ms[128], median;
  Run run;
  int i, m = 0;

  g_assert_cmpint (n - 10, <=, (int) G_N_ELEMENTS (ms));
  run_start (&run, element, cuda_memory, GST_VIDEO_INFO_FORMAT (info),
      GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info), properties);
  for (i = 0; i < n; i++) {
    /* forward and back, so the face never jumps */
    int k = i % (2 * n_distinct - 2);
    gint64 start = g_get_monotonic_time ();
    GstSample *sample = run_push (&run, frames[k < n_distinct ? k : 2 * n_distinct - 2 - k]);
    if (!sample)
      break;
    gst_sample_unref (sample);
    if (i >= 10)
      ms[m++] = (g_get_monotonic_time () - start) / 1000.0;
  }
  g_assert_cmpint (i, ==, n);
  g_assert_cmpuint (run.n_errors, ==, 0);
  run_stop (&run);
  if (m == 0)
    return -1;
  qsort (ms, m, sizeof (double), compare_doubles);
  median = m % 2 ? ms[m / 2] : (ms[m / 2 - 1] + ms[m / 2]) / 2;
  return median;
}

static void
time_size (int width, int height)
{
  const int n_distinct = 30, n = 100;
  GstBuffer *frames[30];
  GstVideoInfo info;
  double identity_cuda, identity_system, cuda_cuda, cuda_system, cpu;
  int i;

  fb_test_video_info_init (&info, GST_VIDEO_FORMAT_I420, width, height);
  for (i = 0; i < n_distinct; i++)
    frames[i] = moving_frame (&info, height / 600.0f, i, n_distinct);
  identity_cuda = time_element ("identity", NULL, TRUE, frames, n_distinct, n, &info);
  cuda_cuda = time_element ("faceblit", "backend=cuda", TRUE, frames, n_distinct, n, &info);
  identity_system = time_element ("identity", NULL, FALSE, frames, n_distinct, n, &info);
  cuda_system = time_element ("faceblit", "backend=cuda", FALSE, frames, n_distinct, n,
      &info);
  cpu = time_element ("faceblit", "backend=cpu", FALSE, frames, n_distinct, n, &info);
  g_test_message ("timing element %dx%d, one face, tracked (model %s), medians of frames "
      "10-%d, one frame in the pipeline at a time: CUDA memory %.2f ms per frame, "
      "element alone %.2f (%.0f fps); system memory, backend=cuda %.2f, alone %.2f "
      "(%.0f fps), backend=cpu %.2f, alone %.2f (%.0f fps)", width, height,
      fb_test_model_path (), n - 1, cuda_cuda, cuda_cuda - identity_cuda,
      1000 / MAX (cuda_cuda - identity_cuda, 0.001), cuda_system,
      cuda_system - identity_system, 1000 / MAX (cuda_system - identity_system, 0.001),
      cpu, cpu - identity_system, 1000 / MAX (cpu - identity_system, 0.001));
  for (i = 0; i < n_distinct; i++)
    gst_buffer_unref (frames[i]);
}

static void
test_timing (void)
{
  g_unsetenv ("FACEBLIT_SYNCHRONOUS_DETECTION");
  time_size (1920, 1080);
  time_size (3840, 2160);
  g_setenv ("FACEBLIT_SYNCHRONOUS_DETECTION", "1", TRUE);
}

/* Why this machine cannot run the tests, or NULL. */
static const char *
reason_to_skip (void)
{
  GstElementFactory *factory = gst_element_factory_find ("faceblit");
  GstElementFactory *upload = gst_element_factory_find ("cudaupload");
  gboolean cuda_caps = FALSE;
  const GList *l;

  if (!factory)
    return "the faceblit plugin is not on GST_PLUGIN_PATH";
  for (l = gst_element_factory_get_static_pad_templates (factory); l; l = l->next) {
    GstCaps *caps = gst_static_pad_template_get_caps (l->data);
    guint i;
    for (i = 0; i < gst_caps_get_size (caps); i++)
      cuda_caps |= gst_caps_features_contains (gst_caps_get_features (caps, i),
          "memory:CUDAMemory");
    gst_caps_unref (caps);
  }
  gst_object_unref (factory);
  if (upload)
    gst_object_unref (upload);
  if (!cuda_caps)
    return "this faceblit has no CUDA backend";
  if (!upload)
    return "no GPU: GStreamer's nvcodec plugin registers no cudaupload here (no CUDA "
        "driver or device, or gst-plugins-bad is not installed)";
  return NULL;
}

int
main (int argc, char **argv)
{
  static const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_P010_10LE
  };
  const char *skip;
  int status;
  guint i;

  /* every detection finishes in the frame that asked for it, so that two runs track
   * alike (the tracker reads it when the element starts) */
  g_setenv ("FACEBLIT_SYNCHRONOUS_DETECTION", "1", TRUE);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* A GPU is lent now and then, for one run: a case that fails must not hide the rest. */
  g_test_set_nonfatal_assertions ();
  if ((skip = reason_to_skip ())) {
    g_print ("1..0 # SKIP %s\n", skip);
    return 0;
  }
  if (!fb_test_model_path () || !g_file_test (g_getenv ("FB_ASTRONAUT") ?
          g_getenv ("FB_ASTRONAUT") : "", G_FILE_TEST_EXISTS)) {
    g_print ("1..0 # SKIP needs FB_ASTRONAUT (python3-skimage) and FB_DLIB_MODEL "
        "(libdlib-data)\n");
    return 0;
  }
  data.dir = g_dir_make_tmp ("faceblit-cuda-pipeline-XXXXXX", NULL);
  g_assert_nonnull (data.dir);
  g_assert_true (fb_test_styles_prepare (&data.styles, data.dir));
  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    char *name = g_strdup_printf ("/cuda-pipeline/cuda-memory/%s",
        gst_video_format_to_string (formats[i]));
    g_test_add_data_func (name, GINT_TO_POINTER (formats[i]), test_cuda_memory);
    g_free (name);
  }
  g_test_add_func ("/cuda-pipeline/system-memory", test_system_memory);
  g_test_add_func ("/cuda-pipeline/caps-change", test_caps_change);
  g_test_add_func ("/cuda-pipeline/style-switch", test_style_switch);
  g_test_add_func ("/cuda-pipeline/forced-failure", test_forced_failure);
  g_test_add_func ("/cuda-pipeline/timing", test_timing);
  status = g_test_run ();
  fb_test_styles_clear (&data.styles);
  fb_test_remove_tree (data.dir);
  g_free (data.dir);
  return status;
}
