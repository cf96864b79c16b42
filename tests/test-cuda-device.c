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
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "fb-backend.h"
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

/* One frame through a backend's stylizer; returns its result. */
static FbStylizeResult
stylize (FbFaceStylizer * stylizer, FbBackend * backend, FbTestFrame * f,
    const FbLandmarks * lm, const FbRenderParams * params, double *ms)
{
  FbImage *luma = NULL;
  FbStageTimes times = { 0 };
  FbStylizeResult result = FB_STYLIZE_FAILED;
  gint64 start = g_get_monotonic_time ();

  if (backend->klass->begin_frame (backend, &f->frame, &luma)) {
    result = fb_face_stylizer_run (stylizer, data.style, luma, lm, params, &f->frame,
        &times);
    if (!backend->klass->end_frame (backend, &f->frame))
      result = FB_STYLIZE_FAILED;
  }
  if (ms)
    *ms = (g_get_monotonic_time () - start) / 1000.0;
  fb_image_free (luma);
  return result;
}

static FbBackend *
gpu_or_skip (void)
{
  GError *error = NULL;
  FbBackend *backend = fb_backend_cuda_new (-1, 0, &error);

  if (!backend) {
    g_test_skip_printf ("no GPU for the CUDA backend: %s", error->message);
    g_error_free (error);
  }
  return backend;
}

static void
test_parity (gconstpointer case_data)
{
  const Case *c = case_data;
  FbBackend *cpu = fb_backend_cpu_new (0), *gpu = gpu_or_skip ();
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
    FbStylizeResult ra = stylize (on_cpu, cpu, a, &lm, &params, NULL);
    FbStylizeResult rb = stylize (on_gpu, gpu, b, &lm, &params, NULL);
    gsize k, differ = 0;
    GError *error = fb_backend_take_error (gpu);

    if (error)
      g_test_message ("%s, frame %d: %s", c->name, i, error->message);
    g_assert_null (error);
    g_assert_cmpint (ra, ==, FB_STYLIZE_SHOWN);
    g_assert_cmpint (rb, ==, ra);
    for (k = 0; k < a->size; k++)
      differ += a->memory[k] != b->memory[k];
    g_test_message ("%s, frame %d: %" G_GSIZE_FORMAT " bytes differ", c->name, i, differ);
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
  gpu = gpu_or_skip ();
  g_unsetenv ("FACEBLIT_CUDA_FAIL_AFTER");
  if (!gpu)
    return;
  stylizer = fb_face_stylizer_new (gpu);
  params_for (&cases[0], &params);
  rgb = moving_frame (640, 480, 0.7f, 0, 1, &lm);
  f = fb_test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT709_LIMITED, 0);
  g_assert_cmpint (stylize (stylizer, gpu, f, &lm, &params, NULL), ==, FB_STYLIZE_FAILED);
  error = fb_backend_take_error (gpu);
  g_assert_nonnull (error);
  g_test_message ("forced failure: %s", error->message);
  g_assert_nonnull (strstr (error->message, "forced"));
  g_error_free (error);
  fb_test_frame_free (f);
  fb_image_free (rgb);
  fb_face_stylizer_free (stylizer);
  fb_backend_free (gpu);
}

static double
median (double *v, int n)
{
  int i, j;

  for (i = 1; i < n; i++)
    for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
      double t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Time per frame of one large face (its stylization and compositing, the frame's
 * luma, upload and download; no tracking) on both backends. */
static void
time_size (int width, int height, float size)
{
  FbBackend *backends[2] = { fb_backend_cpu_new (0), gpu_or_skip () };
  const char *names[2] = { "cpu", "cuda" };
  FbRenderParams params;
  int b, i, n = 30;

  if (!backends[1]) {
    fb_backend_free (backends[0]);
    return;
  }
  fb_render_params_init_defaults (&params);
  for (b = 0; b < 2; b++) {
    FbFaceStylizer *stylizer = fb_face_stylizer_new (backends[b]);
    double ms[30];
    for (i = 0; i < n; i++) {
      FbLandmarks lm;
      FbImage *rgb = moving_frame (width, height, size, i % 10, 10, &lm);
      FbTestFrame *f = fb_test_frame_from_rgb (rgb, FB_FORMAT_I420,
          FB_YUV_BT709_LIMITED, 0);
      g_assert_cmpint (stylize (stylizer, backends[b], f, &lm, &params, &ms[i]), ==,
          FB_STYLIZE_SHOWN);
      fb_test_frame_free (f);
      fb_image_free (rgb);
    }
    /* the first frames fill the caches and allocate */
    g_test_message ("timing %dx%d %s: median %.2f ms per frame (frames 5-%d)", width,
        height, names[b], median (ms + 5, n - 5), n);
    fb_face_stylizer_free (stylizer);
  }
  fb_backend_free (backends[0]);
  fb_backend_free (backends[1]);
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
  FbBackend *gpu;
  GError *error = NULL;
  guint i;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  gpu = fb_backend_cuda_new (-1, 1, &error);
  if (!gpu) {
    g_print ("1..0 # SKIP no GPU for the CUDA backend: %s\n", error->message);
    g_error_free (error);
    return 0;
  }
  g_test_message ("GPU: %s", gpu->name);
  fb_backend_free (gpu);
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
