/* faceblit — the CUDA backend on a real GPU against the CPU backend: a moving astronaut
 * whose landmarks are known (the astronaut's own, moved as the frame moves it), through
 * one face stylizer per backend, byte for byte, in several configurations; a forced
 * device failure; and the time per frame of both backends at 1080p and 4K. Skips with
 * the reason where no GPU can be used. Needs no dlib model, so that tools/gpu-check can
 * run it on a machine that has only the GPU and the libraries it carries.
 * Environment: FB_ASTRONAUT (image), FB_ASTRONAUT_LANDMARKS (its 68 points; without
 * it dlib finds them with the model at FB_DLIB_MODEL), FB_SOURCE_DATA_DIR (the bundled
 * style).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "fb-backend.h"
#include "fb-backend-cuda.h"
#include "fb-frame.h"
#include "fb-image-io.h"
#include "fb-stylize.h"
#include "fb-synth.h"
#include "fb-test-helpers.h"

typedef struct {
  const char *name;
  FbFormat format;
  int voting;
  int synthesis_shift;
  float lambda_temporal;
  gboolean stylize_background;
  FbDebugView debug_view;
  float lighting;
} Case;

static const Case cases[] = {
  {"rgba", FB_FORMAT_RGBA, 3, 1, 1},
  {"i420", FB_FORMAT_I420, 3, 1, 1},
  {"nv12-voting-5", FB_FORMAT_NV12, 5, 1, 1},
  {"voting-1", FB_FORMAT_BGRX, 1, 1, 1},
  {"full-voting-3", FB_FORMAT_RGB, 3, 0, 1},
  {"temporal-off", FB_FORMAT_RGBA, 3, 1, 0},
  {"stylize-background", FB_FORMAT_I420, 3, 1, 1, TRUE},
  {"debug-chunks", FB_FORMAT_RGBA, 3, 1, 1, FALSE, FB_DEBUG_VIEW_CHUNKS},
  {"debug-mask", FB_FORMAT_RGBA, 3, 0, 1, FALSE, FB_DEBUG_VIEW_MASK},
  {"yuy2", FB_FORMAT_YUY2, 3, 1, 1},
  {"p010-10le", FB_FORMAT_P010_10LE, 3, 1, 1},
  {"lighting", FB_FORMAT_RGBA, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, 1.0f},
  {"lighting-background", FB_FORMAT_NV12, 3, 1, 1, TRUE, FB_DEBUG_VIEW_NONE, 0.7f},
};

typedef struct {
  FbImage *face;
  FbLandmarks face_lm;
  FbStyle *style;
} Data;

static Data data;

/* fb_synth_face_frame's placement of the face as a similarity: its centre at
 * (cx, cy), scaled and turned clockwise by angle. */
static void
moved_landmarks (float cx, float cy, float scale, float angle, FbLandmarks * out)
{
  float a = scale * cosf (angle), b = scale * sinf (angle);
  float hw = data.face->width / 2.0f, hh = data.face->height / 2.0f;
  FbSimilarity s = { a, b, cx - (a * hw - b * hh), cy - (b * hw + a * hh) };

  fb_landmarks_transform (&data.face_lm, s, out);
}

/* Frame i of n: the face moving sideways and nearer, turning a little. */
static FbImage *
moving_frame (int width, int height, float size, int i, int n, FbLandmarks * lm)
{
  float t = (float) i / n, cx = width / 2.0f + 0.05f * width * t, cy = height / 2.0f;
  float scale = size * (1 + 0.1f * t), angle = 0.06f * t;

  moved_landmarks (cx, cy, scale, angle, lm);
  return fb_synth_face_frame (data.face, width, height, 3, cx, cy, scale, angle);
}

static void
params_for (const Case * c, FbRenderParams * p)
{
  fb_render_params_init_defaults (p);
  p->voting = c->voting;
  p->synthesis_shift = c->synthesis_shift;
  p->lambda_temporal = c->lambda_temporal;
  p->stylize_background = c->stylize_background;
  p->debug_view = c->debug_view;
  p->lighting = c->lighting;
}

/* Where a frame's time goes, in ms: begin_frame (the upload of a host frame, the luma
 * for the tracker and its download), the stylizer (the host's part and the launches;
 * it waits for the device only where a stage does), end_frame (the download of a host
 * frame's changed rows, or the wait for a CUDA frame). */
typedef struct {
  double begin, run, end, total;
  FbStageTimes stages;          /* the stylizer's, on the host's clock */
} FrameMs;

static double
ms_since (gint64 *t)
{
  gint64 now = g_get_monotonic_time ();
  double ms = (now - *t) / 1000.0;

  *t = now;
  return ms;
}

/* One frame through a backend's stylizer; returns its result. */
static FbStylizeResult
stylize_frame (FbFaceStylizer * stylizer, FbBackend * backend, FbFrame * frame,
    const FbLandmarks * lm, const FbRenderParams * params, FrameMs * ms)
{
  const FbImage *luma = NULL;
  FbStageTimes times = { 0 };
  FbStylizeResult result = FB_STYLIZE_FAILED;
  FrameMs spent = { 0 };
  gint64 start = g_get_monotonic_time (), t = start;

  if (backend->klass->begin_frame (backend, frame, &luma)) {
    spent.begin = ms_since (&t);
    result = fb_face_stylizer_run (stylizer, data.style, luma, lm, params, frame,
        &times);
    spent.run = ms_since (&t);
    if (!backend->klass->end_frame (backend, frame))
      result = FB_STYLIZE_FAILED;
    spent.end = ms_since (&t);
  }
  spent.total = (t - start) / 1000.0;
  spent.stages = times;
  if (ms)
    *ms = spent;
  return result;
}

static FbStylizeResult
stylize (FbFaceStylizer * stylizer, FbBackend * backend, FbTestFrame * f,
    const FbLandmarks * lm, const FbRenderParams * params)
{
  return stylize_frame (stylizer, backend, &f->frame, lm, params, NULL);
}

/* A host frame's planes copied into device memory: the frame as GStreamer's CUDA
 * memory hands it to the element. */
typedef struct {
  FbDevice *device;
  FbDevicePtr planes[3];
  FbFrame frame;
} DeviceFrame;

static gboolean
device_frame_upload (DeviceFrame * d, FbDevice * device, const FbFrame * host)
{
  int p;

  d->device = device;
  d->frame = *host;
  d->frame.memory = FB_MEMORY_CUDA;
  for (p = 0; p < fb_frame_n_planes (host->format); p++) {
    gsize offset, size = fb_frame_plane_span (host, p, 0, host->height, &offset);
    d->planes[p] = device->klass->alloc (device, size);
    if (!d->planes[p] || !device->klass->upload (device, d->planes[p], host->planes[p],
            size))
      return FALSE;
    d->frame.planes[p] = (uint8_t *) (guintptr) d->planes[p];
  }
  return device->klass->synchronize (device);
}

static void
device_frame_release (DeviceFrame * d)
{
  int p;

  for (p = 0; p < 3; p++)
    if (d->planes[p])
      d->device->klass->release (d->device, d->planes[p]);
}

/* The CUDA backend on the GPU (or, in test-cuda-device-emulated, the emulated one);
 * device, if not NULL, is its device, which the backend owns. */
static FbBackend *
gpu_or_skip (FbDevice ** device)
{
  GError *error = NULL;
  FbDevice *gpu = fb_device_cuda_new (-1, &error);

  if (!gpu) {
    g_test_skip_printf ("no GPU for the CUDA backend: %s", error->message);
    g_error_free (error);
    return NULL;
  }
  if (device)
    *device = gpu;
  return fb_backend_cuda_new_for_device (gpu, 0);
}

static void
test_parity (gconstpointer case_data)
{
  const Case *c = case_data;
  FbBackend *cpu = fb_backend_cpu_new (0), *gpu = gpu_or_skip (NULL);
  FbFaceStylizer *on_cpu, *on_gpu;
  FbRenderParams params;
  int i, n = 8;

  if (!gpu) {
    fb_backend_free (cpu);
    return;
  }
  on_cpu = fb_face_stylizer_new (cpu);
  on_gpu = fb_face_stylizer_new (gpu);
  params_for (c, &params);
  for (i = 0; i < n; i++) {
    FbLandmarks lm;
    FbImage *rgb = moving_frame (640, 480, 0.7f, i, n, &lm);
    FbTestFrame *a = fb_test_frame_from_rgb (rgb, c->format, FB_YUV_BT709_LIMITED, 0);
    FbTestFrame *b = fb_test_frame_from_rgb (rgb, c->format, FB_YUV_BT709_LIMITED, 0);
    FbStylizeResult ra = stylize (on_cpu, cpu, a, &lm, &params);
    FbStylizeResult rb = stylize (on_gpu, gpu, b, &lm, &params);
    gsize k, differ = 0;
    int most = 0;
    GError *error = fb_backend_take_error (gpu);

    if (error)
      g_test_message ("%s, frame %d: %s", c->name, i, error->message);
    g_assert_null (error);
    g_assert_cmpint (ra, ==, FB_STYLIZE_SHOWN);
    g_assert_cmpint (rb, ==, ra);
    for (k = 0; k < a->size; k++) {
      int d = abs (a->memory[k] - b->memory[k]);
      differ += d != 0;
      most = MAX (most, d);
    }
    g_test_message ("%s, frame %d: %" G_GSIZE_FORMAT " bytes differ, by at most %d", c->name,
        i, differ, most);
    g_assert_cmpuint (differ, ==, 0);
    fb_test_frame_free (a);
    fb_test_frame_free (b);
    fb_image_free (rgb);
  }
  fb_face_stylizer_free (on_cpu);
  fb_face_stylizer_free (on_gpu);
  fb_backend_free (cpu);
  fb_backend_free (gpu);
}

/* FACEBLIT_CUDA_FAIL_AFTER makes the device fail as a lost GPU would: the stage says
 * so, with the driver call's name. */
static void
test_forced_failure (void)
{
  FbBackend *gpu;
  FbFaceStylizer *stylizer;
  FbRenderParams params;
  FbLandmarks lm;
  FbImage *rgb;
  FbTestFrame *f;
  GError *error;

  g_setenv ("FACEBLIT_CUDA_FAIL_AFTER", "3", TRUE);
  gpu = gpu_or_skip (NULL);
  g_unsetenv ("FACEBLIT_CUDA_FAIL_AFTER");
  if (!gpu)
    return;
  stylizer = fb_face_stylizer_new (gpu);
  params_for (&cases[0], &params);
  rgb = moving_frame (640, 480, 0.7f, 0, 1, &lm);
  f = fb_test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT709_LIMITED, 0);
  g_assert_cmpint (stylize (stylizer, gpu, f, &lm, &params), ==, FB_STYLIZE_FAILED);
  error = fb_backend_take_error (gpu);
  g_assert_nonnull (error);
  if (error) {
    g_test_message ("forced failure: %s", error->message);
    g_assert_nonnull (strstr (error->message, "forced"));
    g_error_free (error);
  }
  fb_test_frame_free (f);
  fb_image_free (rgb);
  fb_face_stylizer_free (stylizer);
  fb_backend_free (gpu);
}

/* The median of one field (a double at offset) of frames 5 to n-1: the first frames
 * fill the caches and allocate. */
static double
median_of (const FrameMs * frames, int n, size_t offset)
{
  double v[64];
  int i, j, m = 0;

  for (i = 5; i < n; i++) {
    double x = *(const double *) ((const char *) &frames[i] + offset);
    for (j = m++; j > 0 && v[j - 1] > x; j--)
      v[j] = v[j - 1];
    v[j] = x;
  }
  return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

#define MEDIAN(frames, n, field) median_of (frames, n, offsetof (FrameMs, field))

/* Time per frame of one large face (its stylization and compositing, the frame's luma
 * for the tracker; no tracking) on the CPU, and on the GPU with the frame in system
 * memory (uploaded, its changed rows downloaded) and in device memory. */
static void
time_size (int width, int height, float size)
{
  enum { CPU, CUDA_SYSTEM, CUDA_DEVICE, N_RUNS };
  const char *names[N_RUNS] = { "cpu", "cuda, system memory", "cuda, CUDA memory" };
  FbDevice *device = NULL;
  FbBackend *gpu = gpu_or_skip (&device), *cpu;
  FbRenderParams params;
  int r, i, n = 30;

  if (!gpu)
    return;
  cpu = fb_backend_cpu_new (0);
  fb_render_params_init_defaults (&params);
  for (r = 0; r < N_RUNS; r++) {
    FbBackend *backend = r == CPU ? cpu : gpu;
    FbFaceStylizer *stylizer = fb_face_stylizer_new (backend);
    FrameMs ms[30];
    for (i = 0; i < n; i++) {
      FbLandmarks lm;
      FbImage *rgb = moving_frame (width, height, size, i % 10, 10, &lm);
      FbTestFrame *f = fb_test_frame_from_rgb (rgb, FB_FORMAT_I420,
          FB_YUV_BT709_LIMITED, 0);
      DeviceFrame d = { 0 };
      FbFrame *frame = &f->frame;
      if (r == CUDA_DEVICE) {
        g_assert_true (device_frame_upload (&d, device, &f->frame));
        frame = &d.frame;
      }
      g_assert_cmpint (stylize_frame (stylizer, backend, frame, &lm, &params, &ms[i]), ==,
          FB_STYLIZE_SHOWN);
      if (r == CUDA_DEVICE)
        device_frame_release (&d);
      fb_test_frame_free (f);
      fb_image_free (rgb);
    }
    g_test_message ("timing %dx%d %s: median %.2f ms per frame (frames 5-%d; begin_frame "
        "%.2f, stylizer %.2f: guides %.2f, seeds %.2f, synthesis %.2f, voting %.2f, "
        "temporal %.2f, compositing %.2f; end_frame %.2f)", width, height, names[r],
        MEDIAN (ms, n, total), n, MEDIAN (ms, n, begin), MEDIAN (ms, n, run),
        MEDIAN (ms, n, stages.guides), MEDIAN (ms, n, stages.seeds),
        MEDIAN (ms, n, stages.synthesis), MEDIAN (ms, n, stages.voting),
        MEDIAN (ms, n, stages.temporal), MEDIAN (ms, n, stages.compositing),
        MEDIAN (ms, n, end));
    fb_face_stylizer_free (stylizer);
  }
  fb_backend_free (cpu);
  fb_backend_free (gpu);
}

static void
test_timing (void)
{
  time_size (1920, 1080, 1.6f);
  time_size (3840, 2160, 3.2f);
}

static gboolean
load_data (void)
{
  const char *face = g_getenv ("FB_ASTRONAUT"), *lm = g_getenv ("FB_ASTRONAUT_LANDMARKS");
  const char *dir = g_getenv ("FB_SOURCE_DATA_DIR");
  FbStyleParams params = { FB_STYLE_DEFAULT_LAMBDA_POS, FB_STYLE_DEFAULT_LAMBDA_APP };
  g_autofree char *style = dir ? g_build_filename (dir, "default-style.png", NULL) : NULL;
  g_autofree char *style_lm = dir ? g_build_filename (dir, "default-style.lm.txt", NULL)
      : NULL;
  GError *error = NULL;

  if (!face || !dir || !g_file_test (face, G_FILE_TEST_EXISTS))
    return FALSE;
  data.face = fb_image_load (face, &error);
  g_assert_no_error (error);
  if (lm && g_file_test (lm, G_FILE_TEST_EXISTS)) {
    g_assert_true (fb_landmarks_load (lm, &data.face_lm, &error));
  } else {
    /* where dlib's model is installed, it finds them */
    char *message = NULL;
    FbShapeModel *model = fb_shape_model_load (g_getenv ("FB_DLIB_MODEL"), &message);
    if (!model) {
      free (message);
      return FALSE;
    }
    g_assert_true (fb_style_detect_landmarks (data.face, model, &data.face_lm, &error));
    fb_shape_model_free (model);
  }
  g_assert_no_error (error);
  data.style = fb_style_load (style, style_lm, NULL, &params, &error);
  g_assert_no_error (error);
  return TRUE;
}

int
main (int argc, char **argv)
{
  FbDevice *gpu;
  GError *error = NULL;
  guint i;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* A GPU is lent now and then, for one run: a case that fails must not hide the rest. */
  g_test_set_nonfatal_assertions ();
  gpu = fb_device_cuda_new (-1, &error);
  if (!gpu) {
    g_print ("1..0 # SKIP no GPU for the CUDA backend: %s\n", error->message);
    g_error_free (error);
    return 0;
  }
  g_test_message ("GPU: %s", gpu->name);
  fb_device_free (gpu);
  if (!load_data ()) {
    g_print ("1..0 # SKIP needs FB_ASTRONAUT (python3-skimage), FB_SOURCE_DATA_DIR, and "
        "FB_ASTRONAUT_LANDMARKS or FB_DLIB_MODEL (libdlib-data)\n");
    return 0;
  }
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    char *name = g_strdup_printf ("/cuda-device/parity/%s", cases[i].name);
    g_test_add_data_func (name, &cases[i], test_parity);
    g_free (name);
  }
  g_test_add_func ("/cuda-device/forced-failure", test_forced_failure);
  g_test_add_func ("/cuda-device/timing", test_timing);
  return g_test_run ();
}
