/* faceblit — the CUDA backend, its kernels compiled as C++ and run on the emulated
 * device (fb-device-emulated.cc), against the CPU backend: the same frames through two
 * engines must come out byte for byte the same, for every format, voting 1/3/5, both
 * synthesis resolutions, temporal on and off, a painted background, two faces, every
 * debug view, the lighting, and frames in device memory. A failing device hands the
 * frames over to the CPU. The frame's and the lighting's kernels alone on random
 * inputs.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fb-backend-cuda.h"
#include "fb-cuda-frame.h"
#include "fb-cuda-lighting.h"
#include "fb-device-emulated.h"
#include "fb-engine.h"
#include "fb-image-io.h"
#include "fb-lighting.h"
#include "fb-synth.h"
#include "fb-test-helpers.h"

#define N_FRAMES 6
/* Bytes after each row of a plane: odd, so that rows are not aligned */
#define PADDING 5

/* Frames with rows PADDING bytes apart, so that the strides are exercised. */
typedef FbTestFrame TestFrame;

static TestFrame *
test_frame_from_rgb (const FbImage * rgb, FbFormat format, FbYuvMatrix matrix)
{
  return fb_test_frame_from_rgb (rgb, format, matrix, PADDING);
}

static void
test_frame_free (TestFrame * t)
{
  fb_test_frame_free (t);
}

/* The frame's planes copied into memory of the device (at *memory): an FB_MEMORY_CUDA
 * frame, as a GPU pipeline would hand it over. */
static FbFrame
test_frame_upload (const TestFrame * t, FbDevice * device, FbDevicePtr * memory)
{
  FbFrame frame = t->frame;
  int p;

  *memory = device->klass->alloc (device, t->size);
  g_assert_true (*memory != 0 && device->klass->upload (device, *memory, t->memory,
          t->size));
  for (p = 0; p < 3; p++)
    if (frame.planes[p])
      frame.planes[p] = (guint8 *) (guintptr) (*memory + (frame.planes[p] - t->memory));
  frame.memory = FB_MEMORY_CUDA;
  return frame;
}

/* Back from the device into t's planes, and the device's memory released. */
static void
test_frame_download (TestFrame * t, FbDevice * device, FbDevicePtr memory)
{
  g_assert_true (device->klass->download (device, t->memory, memory, t->size));
  device->klass->release (device, memory);
}

typedef struct {
  const char *name;
  FbFormat format;
  int voting;
  int synthesis_shift;
  float lambda_temporal;
  gboolean stylize_background;
  FbDebugView debug_view;
  gboolean two_faces;
  FbYuvMatrix matrix;
  gboolean device_frame;        /* the CUDA engine gets the frame in device memory */
  float mask_feather;           /* 0: the default */
  float strength;               /* 0: the default */
  float lighting;
} Case;

static const Case cases[] = {
  {"rgba", FB_FORMAT_RGBA, 3, 1, 1, FALSE},
  {"bgrx", FB_FORMAT_BGRX, 3, 1, 1, FALSE},
  {"argb", FB_FORMAT_ARGB, 3, 1, 1, FALSE},
  {"rgb", FB_FORMAT_RGB, 3, 1, 1, FALSE},
  {"bgr", FB_FORMAT_BGR, 3, 1, 1, FALSE},
  {"i420", FB_FORMAT_I420, 3, 1, 1, FALSE},
  {"nv12", FB_FORMAT_NV12, 3, 1, 1, FALSE},
  {"voting-1", FB_FORMAT_RGBX, 1, 1, 1, FALSE},
  {"voting-5", FB_FORMAT_RGBX, 5, 1, 1, FALSE},
  {"full-voting-1", FB_FORMAT_RGBX, 1, 0, 1, FALSE},
  {"full-voting-3", FB_FORMAT_RGBX, 3, 0, 1, FALSE},
  {"full-voting-5", FB_FORMAT_RGBX, 5, 0, 1, FALSE},
  {"temporal-off", FB_FORMAT_RGBX, 3, 1, 0, FALSE},
  {"stylize-background", FB_FORMAT_I420, 3, 1, 1, TRUE},
  {"two-faces", FB_FORMAT_NV12, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, TRUE},
  {"debug-landmarks", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS},
  {"debug-positional", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_POSITIONAL_GUIDE},
  {"debug-appearance", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_APPEARANCE_GUIDE},
  {"debug-chunks", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_CHUNKS},
  {"debug-mask", FB_FORMAT_RGBX, 3, 0, 1, FALSE, FB_DEBUG_VIEW_MASK},
  {"bgra", FB_FORMAT_BGRA, 3, 1, 1, FALSE},
  {"abgr", FB_FORMAT_ABGR, 3, 1, 1, FALSE},
  {"xrgb", FB_FORMAT_XRGB, 3, 1, 1, FALSE},
  {"xbgr", FB_FORMAT_XBGR, 3, 1, 1, FALSE},
  {"i420-bt709-full", FB_FORMAT_I420, 1, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT709_FULL},
  {"nv12-bt601-full", FB_FORMAT_NV12, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_FULL},
  {"nv12-bt709-limited", FB_FORMAT_NV12, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT709_LIMITED},
  {"debug-landmarks-i420", FB_FORMAT_I420, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS},
  {"debug-landmarks-nv12", FB_FORMAT_NV12, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS, TRUE},
  {"device-frame-rgba", FB_FORMAT_RGBA, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_LIMITED, TRUE},
  {"device-frame-i420", FB_FORMAT_I420, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS, TRUE,
      FB_YUV_BT601_LIMITED, TRUE},
  {"nv21", FB_FORMAT_NV21, 3, 1, 1, FALSE},
  {"yuy2", FB_FORMAT_YUY2, 3, 1, 1, FALSE},
  {"uyvy-bt709-full", FB_FORMAT_UYVY, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT709_FULL},
  {"gray8", FB_FORMAT_GRAY8, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_FULL},
  {"i420-10le", FB_FORMAT_I420_10LE, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT709_LIMITED},
  {"p010-10le", FB_FORMAT_P010_10LE, 3, 1, 1, FALSE},
  {"p010-10le-bt709-full", FB_FORMAT_P010_10LE, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, TRUE,
      FB_YUV_BT709_FULL},
  {"debug-landmarks-yuy2", FB_FORMAT_YUY2, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS},
  {"debug-landmarks-gray8", FB_FORMAT_GRAY8, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS},
  {"debug-landmarks-p010-10le", FB_FORMAT_P010_10LE, 3, 1, 1, FALSE,
      FB_DEBUG_VIEW_LANDMARKS},
  {"device-frame-uyvy", FB_FORMAT_UYVY, 3, 1, 1, FALSE, FB_DEBUG_VIEW_LANDMARKS, FALSE,
      FB_YUV_BT601_LIMITED, TRUE},
  {"device-frame-i420-10le", FB_FORMAT_I420_10LE, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE,
      FALSE, FB_YUV_BT601_LIMITED, TRUE},
  /* a feather wide enough for the coverage at a quarter of the resolution */
  {"wide-feather", FB_FORMAT_RGBX, 3, 0, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_LIMITED, FALSE, 0.12f},
  {"half-strength", FB_FORMAT_NV12, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_LIMITED, FALSE, 0, 0.5f},
  {"half-strength-background", FB_FORMAT_RGBX, 3, 1, 1, TRUE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_LIMITED, FALSE, 0, 0.3f},
  {"lighting", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_NONE, TRUE,
      FB_YUV_BT601_LIMITED, FALSE, 0, 0, 1.0f},
  {"half-lighting-wide-feather", FB_FORMAT_NV12, 3, 0, 1, FALSE, FB_DEBUG_VIEW_NONE,
      FALSE, FB_YUV_BT601_LIMITED, FALSE, 0.12f, 0, 0.5f},
  {"lighting-background", FB_FORMAT_I420, 3, 1, 1, TRUE, FB_DEBUG_VIEW_NONE, FALSE,
      FB_YUV_BT601_LIMITED, FALSE, 0, 0.6f, 0.8f},
  {"lighting-debug-mask", FB_FORMAT_RGBX, 3, 1, 1, FALSE, FB_DEBUG_VIEW_MASK, FALSE,
      FB_YUV_BT601_LIMITED, FALSE, 0, 0, 1.0f},
};

typedef struct {
  const FbShapeModel *model;
  FbStyle *style;
  const FbImage *face;          /* the moving face */
} Fixture;

static gboolean
fixture_init (Fixture * f, const char *face_path)
{
  const FbImage *astronaut;
  FbStyleParams style_params = { FB_STYLE_DEFAULT_LAMBDA_POS, FB_STYLE_DEFAULT_LAMBDA_APP };
  char *style_path, *lm_path;
  GError *error = NULL;

  memset (f, 0, sizeof (*f));
  if (!fb_test_face_data (&f->model, &astronaut))
    return FALSE;
  f->face = astronaut;
  if (face_path) {
    f->face = fb_image_load (face_path, &error);
    g_assert_no_error (error);
  }
  style_path = fb_test_source_data_path ("default-style.png");
  lm_path = fb_test_source_data_path ("default-style.lm.txt");
  f->style = fb_style_load (style_path, lm_path, f->model, &style_params, &error);
  g_assert_no_error (error);
  g_free (style_path);
  g_free (lm_path);
  return TRUE;
}

static void
fixture_clear (Fixture * f, const char *face_path)
{
  fb_style_unref (f->style);
  if (face_path)
    fb_image_free ((FbImage *) f->face);
}

/* Frame i of a face moving sideways, zooming and turning a little; with two faces, a
 * second one beside it moving the other way. */
static FbImage *
moving_frame (const FbImage * face, int i, gboolean two_faces)
{
  int w = 480, h = 480;
  float t = (float) i / N_FRAMES;
  FbImage *one = fb_synth_face_frame (face, w, h, 3, w / 2 + 12 * t, h / 2 - 6 * t,
      0.9f + 0.08f * t, 0.05f * t);
  FbImage *two, *both;
  int y;

  if (!two_faces)
    return one;
  two = fb_synth_face_frame (face, w, h, 3, w / 2 - 10 * t, h / 2 + 4 * t, 0.88f, -0.04f * t);
  both = fb_image_new (2 * w, h, 3);
  for (y = 0; y < h; y++) {
    memcpy (fb_image_row (both, y), fb_image_row (one, y), (gsize) 3 * w);
    memcpy (fb_image_row (both, y) + 3 * w, fb_image_row (two, y), (gsize) 3 * w);
  }
  fb_image_free (one);
  fb_image_free (two);
  return both;
}

static FbEngine *
engine_on (const Fixture * f, FbBackend * backend, gboolean fall_back)
{
  GError *error = NULL;
  FbEngine *engine = fb_engine_new_with_backend (f->model, backend, 2, fall_back, &error);

  g_assert_no_error (error);
  fb_engine_set_style (engine, f->style);
  return engine;
}

static void
render_params (const Case * c, FbRenderParams * p)
{
  fb_render_params_init_defaults (p);
  p->voting = c->voting;
  p->synthesis_shift = c->synthesis_shift;
  p->lambda_temporal = c->lambda_temporal;
  p->stylize_background = c->stylize_background;
  p->debug_view = c->debug_view;
  if (c->mask_feather > 0)
    p->mask_feather = c->mask_feather;
  if (c->strength > 0)
    p->strength = c->strength;
  p->lighting = c->lighting;
  /* no small-face pass: the first frame's synchronous detection finds both faces */
  p->tracking.min_face_size = 100;
}

/* Runs a case through both backends; returns the faces stylized. */
static int
compare_backends (const Fixture * f, const Case * c)
{
  FbDevice *device = fb_device_emulated_new (-1);
  FbEngine *cpu = engine_on (f, fb_backend_cpu_new (2), FALSE);
  FbEngine *cuda = engine_on (f, fb_backend_cuda_new_for_device (device, 2), FALSE);
  FbRenderParams params;
  FbFaceResult faces[4];
  int i, stylized = 0;

  render_params (c, &params);
  for (i = 0; i < N_FRAMES; i++) {
    FbImage *rgb = moving_frame (f->face, i, c->two_faces);
    TestFrame *a = test_frame_from_rgb (rgb, c->format, c->matrix);
    TestFrame *b = test_frame_from_rgb (rgb, c->format, c->matrix);
    gint64 t = i * G_GINT64_CONSTANT (40000000);
    int n_a = fb_engine_process (cpu, &a->frame, t, &params, faces, 4), n_b;
    gsize k, differ = 0;

    if (c->device_frame) {
      FbDevicePtr memory;
      FbFrame on_device = test_frame_upload (b, device, &memory);
      n_b = fb_engine_process (cuda, &on_device, t, &params, faces, 4);
      test_frame_download (b, device, memory);
    } else {
      n_b = fb_engine_process (cuda, &b->frame, t, &params, faces, 4);
    }

    g_assert_cmpint (n_a, ==, n_b);
    for (k = 0; k < a->size; k++)
      differ += a->memory[k] != b->memory[k];
    if (differ)
      g_test_message ("%s, frame %d: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
          " bytes differ", c->name, i, differ, a->size);
    g_assert_cmpuint (differ, ==, 0);
    stylized += n_a;
    test_frame_free (a);
    test_frame_free (b);
    fb_image_free (rgb);
  }
  fb_engine_free (cpu);
  fb_engine_free (cuda);
  return stylized;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  Fixture f;

  if (!fixture_init (&f, NULL))
    return;
  /* the comparison means something only where faces were stylized */
  g_assert_cmpint (compare_backends (&f, c), >=, (c->two_faces ? 2 : 1) * (N_FRAMES - 1));
  fixture_clear (&f, NULL);
}

/* A real photograph's face (../shared/data/targets/target1.png) as the moving face. */
static void
test_real_frame (void)
{
  char *path = fb_test_shared_path ("targets/target1.png");
  Fixture f;

  if (!path) {
    g_test_skip ("../shared/data is absent: no target1.png");
    return;
  }
  if (fixture_init (&f, path)) {
    g_assert_cmpint (compare_backends (&f, &cases[0]), >=, N_FRAMES - 1);
    fixture_clear (&f, path);
  }
  g_free (path);
}

/* A device that fails (a lost GPU) after some launches: with fall-back the engine goes
 * on on the CPU and says why, once; without it, processing fails with that reason. */
static void
test_failure (void)
{
  Fixture f;
  FbRenderParams params;
  FbFaceResult faces[4];
  gboolean fall_back;

  if (!fixture_init (&f, NULL))
    return;
  render_params (&cases[0], &params);
  for (fall_back = FALSE; fall_back <= TRUE; fall_back++) {
    FbEngine *engine = engine_on (&f,
        fb_backend_cuda_new_for_device (fb_device_emulated_new (8), 2), fall_back);
    GError *error;
    int i, last = 0;

    g_assert_cmpstr (fb_engine_backend_name (engine), ==, "emulated CUDA device");
    for (i = 0; i < N_FRAMES; i++) {
      FbImage *rgb = moving_frame (f.face, i, FALSE);
      TestFrame *frame = test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT601_LIMITED);
      last = fb_engine_process (engine, &frame->frame, i * G_GINT64_CONSTANT (40000000),
          &params, faces, 4);
      test_frame_free (frame);
      fb_image_free (rgb);
      if (last < 0)
        break;
    }
    error = fb_engine_take_backend_failure (engine);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "forced failure"));
    g_error_free (error);
    g_assert_null (fb_engine_take_backend_failure (engine));
    if (fall_back) {
      g_assert_cmpint (last, ==, 1);
      g_assert_nonnull (strstr (fb_engine_backend_name (engine), "CPU"));
    } else {
      g_assert_cmpint (last, ==, -1);
    }
    fb_engine_free (engine);
  }
  fixture_clear (&f, NULL);
}

/* A device that fails while the frame is in its memory: the CPU cannot reach that
 * frame, so it goes on as the GPU left it (here as it came: the failure is in the
 * first frame's guides, before anything is composited), with no error; the engine says
 * why, and the next frames, which the element then maps on the host, are stylized on
 * the CPU. */
static void
test_failure_device_frame (void)
{
  Fixture f;
  FbRenderParams params;
  FbFaceResult faces[4];
  /* the frames' memory is GStreamer's, not the backend's, and outlives it */
  FbDevice *frames = fb_device_emulated_new (-1);
  FbEngine *engine;
  GError *error;
  int i, last = 0;

  if (!fixture_init (&f, NULL)) {
    fb_device_free (frames);
    return;
  }
  engine = engine_on (&f, fb_backend_cuda_new_for_device (fb_device_emulated_new (8), 2),
      TRUE);
  render_params (&cases[0], &params);
  for (i = 0; i < N_FRAMES; i++) {
    FbImage *rgb = moving_frame (f.face, i, FALSE);
    TestFrame *frame = test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT601_LIMITED);
    gint64 t = i * G_GINT64_CONSTANT (40000000);
    if (fb_engine_takes_device_frames (engine)) {
      TestFrame *input = test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT601_LIMITED);
      FbDevicePtr memory;
      FbFrame on_device = test_frame_upload (frame, frames, &memory);
      last = fb_engine_process (engine, &on_device, t, &params, faces, 4);
      test_frame_download (frame, frames, memory);
      g_assert_cmpint (last, ==, 0);
      g_assert_cmpmem (frame->memory, frame->size, input->memory, input->size);
      test_frame_free (input);
    } else {
      last = fb_engine_process (engine, &frame->frame, t, &params, faces, 4);
    }
    test_frame_free (frame);
    fb_image_free (rgb);
  }
  error = fb_engine_take_backend_failure (engine);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "forced failure"));
  g_error_free (error);
  g_assert_nonnull (strstr (fb_engine_backend_name (engine), "CPU"));
  g_assert_cmpint (last, ==, 1);
  fb_engine_free (engine);
  fb_device_free (frames);
  fixture_clear (&f, NULL);
}

/* Every buffer the backend allocated on the device is given back. */
static void
test_releases_memory (void)
{
  Fixture f;
  FbDevice *device;
  FbBackend *backend;
  FbEngine *engine;
  FbRenderParams params;
  FbFaceResult faces[4];
  int i;

  if (!fixture_init (&f, NULL))
    return;
  device = fb_device_emulated_new (-1);
  backend = fb_backend_cuda_new_for_device (device, 1);
  engine = engine_on (&f, backend, FALSE);
  render_params (&cases[0], &params);
  for (i = 0; i < 3; i++) {
    FbImage *rgb = moving_frame (f.face, i, TRUE);
    TestFrame *frame = test_frame_from_rgb (rgb, FB_FORMAT_RGBA, FB_YUV_BT601_LIMITED);
    g_assert_cmpint (fb_engine_process (engine, &frame->frame, i * 40000000, &params,
            faces, 4), ==, 2);
    test_frame_free (frame);
    fb_image_free (rgb);
  }
  g_assert_cmpuint (fb_device_emulated_bytes_in_use (device), >, 0);
  fb_engine_reset (engine);
  /* the style, the frame's luma (on the device, and page-locked on the host) and the
   * frame's copy (RGBA, from its first pixel to its last) stay for the next frames; the
   * faces' buffers are gone */
  {
    gsize style_bytes = fb_device_emulated_bytes_in_use (device);
    gsize expected = 2 * 960 * 480 + (960 * 4 + PADDING) * 479 + 960 * 4;
    int l;
    for (l = 0; l < f.style->n_levels; l++) {
      const FbStyleLevel *level = &f.style->levels[l];
      expected += (gsize) level->rgb->stride * level->rgb->height
          + (gsize) level->guide->stride * level->guide->height
          + (gsize) level->rgb_blurred->stride * level->rgb_blurred->height
          + (gsize) level->tone->stride * level->tone->height
          + fb_seed_table_n_entries (level->table) * sizeof (uint32_t);
    }
    g_assert_cmpuint (style_bytes, ==, expected);
  }
  fb_engine_free (engine);
  fixture_clear (&f, NULL);
}

/* ------------------------------------------------------------- the frame's kernels */

/* The frame kernels alone, against the CPU's functions, on frames of odd and even sizes
 * in every format and matrix, for what the engine's frames do not reach. */

static void
launch_kernel (FbDevice * device, FbKernel kernel, FbLaunch geometry, const void *args,
    gsize size)
{
  g_assert_true (device->klass->launch (device, kernel, &geometry, args, size));
}

/* A device copy of an image: an image whose data is a device address. */
static FbImage
image_upload (FbDevice * device, const FbImage * image)
{
  FbImage copy = *image;
  gsize size = (gsize) image->stride * image->height;
  FbDevicePtr memory = device->klass->alloc (device, size);

  g_assert_true (memory != 0 && device->klass->upload (device, memory, image->data, size));
  copy.data = (guint8 *) (guintptr) memory;
  return copy;
}

static void
assert_frames_equal (const TestFrame * a, const TestFrame * b, int n)
{
  gsize k;

  for (k = 0; k < a->size; k++)
    if (a->memory[k] != b->memory[k])
      g_error ("case %d (format %d, matrix %d, %dx%d): byte %" G_GSIZE_FORMAT " is %d, "
          "the CPU's %d", n, a->frame.format, a->frame.matrix, a->frame.width,
          a->frame.height, k, b->memory[k], a->memory[k]);
}

/* Case n's frame, twice: formats and matrices go through every combination. */
static void
random_frames (GRand * rand, int n, TestFrame ** a, TestFrame ** b)
{
  g_autoptr (FbImage) rgb = fb_test_random_image (g_rand_int_range (rand, 1, 70),
      g_rand_int_range (rand, 1, 50), 3, 6.0f, n);
  FbFormat format = (FbFormat) (n % FB_N_FORMATS);
  FbYuvMatrix matrix = (FbYuvMatrix) (n / FB_N_FORMATS % 4);

  *a = test_frame_from_rgb (rgb, format, matrix);
  *b = test_frame_from_rgb (rgb, format, matrix);
}

static void
check_luma_kernel (FbDevice * device, FbWorkers * workers, const TestFrame * t)
{
  gsize pixels = (gsize) t->frame.width * t->frame.height;
  g_autoptr (FbImage) expected = NULL;
  g_autoptr (FbImage) got = fb_image_new (t->frame.width, t->frame.height, 1);
  FbDevicePtr memory, luma = device->klass->alloc (device, pixels);
  FbFrameLumaArgs a = { test_frame_upload (t, device, &memory),
    (guint8 *) (guintptr) luma
  };

  fb_frame_read_luma (workers, &t->frame, &expected);
  launch_kernel (device, FB_KERNEL_ID_fb_frame_luma_kernel,
      fb_launch_2d (t->frame.width, t->frame.height), &a, sizeof (a));
  g_assert_true (device->klass->download (device, got->data, luma, pixels));
  g_assert_cmpmem (got->data, pixels, expected->data, pixels);
  device->klass->release (device, luma);
  device->klass->release (device, memory);
}

/* A similarity of scale 1/4 to 3 and any angle that maps frame point (fx, fy) near the
 * region's centre; one in four keeps rows on a canonical axis. */
static FbSimilarity
random_transform (GRand * rand, FbRect region, float fx, float fy)
{
  double scale = exp (g_rand_double_range (rand, log (0.25), log (3.0)));
  double angle = g_rand_int_range (rand, 0, 4) ? g_rand_double_range (rand, 0, 2 * G_PI)
      : G_PI / 2 * g_rand_int_range (rand, 0, 4);
  FbSimilarity s = { (float) (scale * cos (angle)), (float) (scale * sin (angle)) };

  s.tx = region.x + region.width / 2.0f - (s.a * fx - s.b * fy)
      + (float) g_rand_double_range (rand, -3, 3);
  s.ty = region.y + region.height / 2.0f - (s.b * fx + s.a * fy)
      + (float) g_rand_double_range (rand, -3, 3);
  return s;
}

/* Mostly full, sometimes 0, else anything between. */
static float
random_strength (GRand * rand)
{
  int kind = g_rand_int_range (rand, 0, 4);

  return kind < 2 ? 1.0f : kind == 2 ? 0.0f : (float) g_rand_double (rand);
}

/* Smooth coverage with stretches of 0 and of 255. */
static FbImage *
random_coverage (int width, int height, guint32 seed)
{
  FbImage *coverage = fb_test_random_image (width, height, 1, 2.0f, seed);
  gsize k;

  for (k = 0; k < (gsize) width * height; k++)
    coverage->data[k] = coverage->data[k] < 100 ? 0 : coverage->data[k] > 160 ? 255
        : 4 * (coverage->data[k] - 100);
  return coverage;
}

/* A random patch, maybe overhanging the frame, bilinear or nearest, with coverage or
 * without, at full strength, none or some, into cpu by fb_composite_patch_onto and
 * into gpu by the kernel. */
static void
check_composite_kernel (FbDevice * device, FbWorkers * workers, GRand * rand, int n,
    TestFrame * cpu, TestFrame * gpu)
{
  int fw = cpu->frame.width, fh = cpu->frame.height, shift = g_rand_int_range (rand, 0, 3);
  FbRect region = { g_rand_int_range (rand, -40, 40), g_rand_int_range (rand, -40, 40),
    g_rand_int_range (rand, 1, 40), g_rand_int_range (rand, 1, 40)
  };
  FbRect patch = { g_rand_int_range (rand, -10, fw), g_rand_int_range (rand, -10, fh),
    g_rand_int_range (rand, 1, fw + 20), g_rand_int_range (rand, 1, fh + 20)
  };
  g_autoptr (FbImage) colours = fb_test_random_image (region.width, region.height, 3,
      3.0f, n + 1000);
  g_autoptr (FbImage) coverage = random_coverage (((region.width - 1) >> shift) + 1,
      ((region.height - 1) >> shift) + 1, n + 2000);
  FbPatchSource source = { random_transform (rand, region, patch.x + patch.width / 2.0f,
        patch.y + patch.height / 2.0f), region, colours,
    g_rand_int_range (rand, 0, 5) ? coverage : NULL, shift,
    g_rand_int_range (rand, 0, 4) == 0, random_strength (rand)
  };
  FbImage colours_on_device = image_upload (device, colours);
  FbImage coverage_on_device = image_upload (device, coverage);
  FbPatchSource on_device = source;
  FbDevicePtr memory;
  FbCudaFrame f;
  FbFrame frame = test_frame_upload (gpu, device, &memory);
  FbCompositeArgs a;
  FbKernel kernel;
  FbLaunch geometry;

  on_device.colours = &colours_on_device;
  on_device.coverage = source.coverage ? &coverage_on_device : NULL;
  fb_cuda_frame_begin (&f, &frame);
  if (fb_cuda_frame_composite (&f, &on_device, patch, &kernel, &a, &geometry))
    launch_kernel (device, kernel, geometry, &a, sizeof (a));
  test_frame_download (gpu, device, memory);
  device->klass->release (device, (FbDevicePtr) (guintptr) colours_on_device.data);
  device->klass->release (device, (FbDevicePtr) (guintptr) coverage_on_device.data);
  fb_composite_patch_onto (workers, &source, patch, &cpu->frame);
}

/* Landmarks all over the frame, at its borders and overlapping, drawn into cpu by
 * fb_frame_mark_points and into gpu by the kernel. */
static void
check_mark_kernel (FbDevice * device, GRand * rand, TestFrame * cpu, TestFrame * gpu)
{
  FbLandmarks lm;
  FbDevicePtr memory;
  FbCudaFrame f;
  FbFrame frame = test_frame_upload (gpu, device, &memory);
  FbMarkArgs a;
  FbLaunch geometry;
  int i;

  memset (&lm, 0, sizeof (lm));
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    lm.points[i].x = (float) g_rand_double_range (rand, -2, cpu->frame.width + 2);
    lm.points[i].y = (float) g_rand_double_range (rand, -2, cpu->frame.height + 2);
  }
  fb_cuda_frame_begin (&f, &frame);
  fb_cuda_frame_mark (&f, &lm, &a, &geometry);
  launch_kernel (device, FB_KERNEL_ID_fb_mark_points_kernel, geometry, &a, sizeof (a));
  test_frame_download (gpu, device, memory);
  fb_frame_mark_points (&cpu->frame, lm.points, FB_N_LANDMARKS);
}

typedef enum {
  FRAME_KERNEL_LUMA, FRAME_KERNEL_COMPOSITE, FRAME_KERNEL_MARKS,
} FrameKernel;

/* ------------------------------------------------------------- the lighting's kernels */

static FbDevicePtr
device_copy (FbDevice * device, const FbImage * image)
{
  return (FbDevicePtr) (guintptr) image_upload (device, image).data;
}

/* The lighting on random inputs (synthesis region, resolutions, coverage, face width,
 * lighting, the backdrop's tone gains or none) by fb_face_lighting_apply and by the
 * kernels: the same output bytes. A quarter of the cases are a painted background's
 * tone gains alone (lighting 0), whose kernels get no working memory of the
 * lighting's. Returns whether the lighting changed the output. */
static gboolean
check_lighting_kernels (FbDevice * device, FbWorkers * workers, GRand * rand, int n)
{
  FbStyleLevel level = { 0 };
  FbFacePlan plan = { 0 };
  FbFaceLighting cpu = { 0 };
  FbCudaLightingHost host = { 0 };
  FbCudaLightingMemory memory;
  gsize sizes[FB_CUDA_LIGHTING_N_WORK], bytes;
  /* a previous frame's ratio half of the time */
  uint32_t cpu_ratio = g_rand_boolean (rand) ? 0
      : (uint32_t) g_rand_int_range (rand, FB_LIGHTING_RATIO_ONE / 16,
      FB_LIGHTING_RATIO_ONE * 16), kernels_ratio = cpu_ratio;
  int k;
  gboolean changed;

  level.face_width = (float) g_rand_double_range (rand, 4, 200);
  plan.synthesis_level = &level;
  plan.synthesis_region.x = g_rand_int_range (rand, -50, 50);
  plan.synthesis_region.y = g_rand_int_range (rand, -50, 50);
  plan.synthesis_region.width = g_rand_int_range (rand, 1, 90);
  plan.synthesis_region.height = g_rand_int_range (rand, 1, 90);
  plan.synthesis_shift = g_rand_int_range (rand, 0, 2);
  plan.region.width = plan.synthesis_region.width << plan.synthesis_shift;
  plan.region.height = plan.synthesis_region.height << plan.synthesis_shift;
  plan.coverage_shift = g_rand_boolean (rand) ? 2 : 0;
  plan.coverage_width = ((plan.synthesis_region.width - 1) >> plan.coverage_shift) + 1;
  plan.coverage_height = ((plan.synthesis_region.height - 1) >> plan.coverage_shift) + 1;
  plan.lighting = n % 4 == 0 ? 0 : g_rand_int_range (rand, 1, FB_LIGHTING_FULL + 1);
  {
    gsize samples = (gsize) plan.coverage_width * plan.coverage_height, i;
    g_autofree uint16_t *tone_gains = NULL;
    g_autoptr (FbImage) luma = fb_test_random_image (plan.synthesis_region.width,
        plan.synthesis_region.height, 1, 4.0f, n + 3000);
    g_autoptr (FbImage) coverage = random_coverage (plan.coverage_width,
        plan.coverage_height, n + 4000);
    g_autoptr (FbImage) colours = fb_test_random_image (plan.region.width,
        plan.region.height, 3, 3.0f, n + 5000);
    g_autoptr (FbImage) expected = fb_image_copy (colours);
    g_autoptr (FbImage) got = fb_image_copy (colours);

    /* tone gains (a plane per channel) at lighting 0 always (it does nothing
     * without), else half of the time; a third of them exactly 1, as inside the
     * exemplar */
    if (plan.lighting == 0 || g_rand_boolean (rand)) {
      tone_gains = g_new (uint16_t, 3 * samples);
      for (i = 0; i < 3 * samples; i++)
        tone_gains[i] = g_rand_int_range (rand, 0, 3) == 0 ? FB_LIGHTING_ONE
            : (uint16_t) g_rand_int_range (rand, FB_LIGHTING_GAIN_MIN,
            FB_LIGHTING_GAIN_MAX + 1);
    }
    fb_face_lighting_apply (&cpu, workers, &plan, luma, coverage, tone_gains, expected,
        &cpu_ratio);
    memory.luma = device_copy (device, luma);
    memory.coverage = device_copy (device, coverage);
    memory.output = device_copy (device, colours);
    memory.tone_gains = 0;
    if (tone_gains) {
      memory.tone_gains = device->klass->alloc (device, 3 * samples * sizeof (uint16_t));
      g_assert_true (device->klass->upload (device, memory.tone_gains, tone_gains,
              3 * samples * sizeof (uint16_t)));
    }
    fb_cuda_lighting_sizes (&plan, sizes);
    for (k = 0; k < FB_CUDA_LIGHTING_N_WORK; k++) {
      if (plan.lighting == 0)
        g_assert_cmpuint (sizes[k], ==, 0);
      /* as the backend's buffers: never zero bytes */
      memory.work[k] = device->klass->alloc (device, MAX (sizes[k], 1));
    }
    g_assert_true (fb_cuda_lighting_apply (device, &plan, &memory, &host,
            &kernels_ratio));
    g_assert_cmpuint (kernels_ratio, ==, cpu_ratio);
    bytes = (gsize) got->stride * got->height;
    g_assert_true (device->klass->download (device, got->data, memory.output, bytes));
    if (memcmp (got->data, expected->data, bytes) != 0)
      g_error ("lighting case %d (%dx%d, shifts %d and %d, lighting %d, %s): the "
          "kernels' output differs from the CPU's", n, plan.synthesis_region.width,
          plan.synthesis_region.height, plan.coverage_shift, plan.synthesis_shift,
          plan.lighting, tone_gains ? "tone gains" : "no tone gains");
    changed = memcmp (got->data, colours->data, bytes) != 0;
    device->klass->release (device, memory.luma);
    device->klass->release (device, memory.coverage);
    device->klass->release (device, memory.output);
    if (memory.tone_gains)
      device->klass->release (device, memory.tone_gains);
    for (k = 0; k < FB_CUDA_LIGHTING_N_WORK; k++)
      device->klass->release (device, memory.work[k]);
  }
  fb_face_lighting_clear (&cpu);
  fb_cuda_lighting_host_clear (&host);
  return changed;
}

static void
test_lighting_kernels (void)
{
  FbDevice *device = fb_device_emulated_new (-1);
  FbWorkers *workers = fb_workers_new (2);
  GRand *rand = g_rand_new_with_seed (17);
  int n, changed = 0;

  for (n = 0; n < 120; n++)
    changed += check_lighting_kernels (device, workers, rand, n);
  /* the comparison means something only where the lighting did something */
  g_assert_cmpint (changed, >=, 60);
  g_assert_cmpuint (fb_device_emulated_bytes_in_use (device), ==, 0);
  g_rand_free (rand);
  fb_workers_free (workers);
  fb_device_free (device);
}

/* Each kernel on random frames, against the CPU; the device's memory is all given
 * back. */
static void
test_frame_kernel (gconstpointer data)
{
  FrameKernel which = GPOINTER_TO_INT (data);
  FbDevice *device = fb_device_emulated_new (-1);
  FbWorkers *workers = fb_workers_new (1);
  GRand *rand = g_rand_new_with_seed (3 + which);
  int n;

  for (n = 0; n < (which == FRAME_KERNEL_COMPOSITE ? 8 : 2) * 4 * FB_N_FORMATS; n++) {
    TestFrame *cpu, *gpu;
    random_frames (rand, n, &cpu, &gpu);
    if (which == FRAME_KERNEL_LUMA)
      check_luma_kernel (device, workers, cpu);
    else if (which == FRAME_KERNEL_COMPOSITE)
      check_composite_kernel (device, workers, rand, n, cpu, gpu);
    else
      check_mark_kernel (device, rand, cpu, gpu);
    assert_frames_equal (cpu, gpu, n);
    test_frame_free (cpu);
    test_frame_free (gpu);
  }
  g_assert_cmpuint (fb_device_emulated_bytes_in_use (device), ==, 0);
  g_rand_free (rand);
  fb_workers_free (workers);
  fb_device_free (device);
}

int
main (int argc, char **argv)
{
  guint i;

  /* detections that finish before the next frame, so that both engines see the same
   * landmarks */
  g_setenv ("FACEBLIT_SYNCHRONOUS_DETECTION", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    char *name = g_strdup_printf ("/cuda-emulated/parity/%s", cases[i].name);
    g_test_add_data_func (name, &cases[i], test_case);
    g_free (name);
  }
  g_test_add_func ("/cuda-emulated/parity/target1", test_real_frame);
  g_test_add_func ("/cuda-emulated/failure-falls-back-to-cpu", test_failure);
  g_test_add_func ("/cuda-emulated/failure-with-a-device-frame", test_failure_device_frame);
  g_test_add_func ("/cuda-emulated/releases-memory", test_releases_memory);
  g_test_add_data_func ("/cuda-emulated/frame-kernels/luma",
      GINT_TO_POINTER (FRAME_KERNEL_LUMA), test_frame_kernel);
  g_test_add_data_func ("/cuda-emulated/frame-kernels/composite",
      GINT_TO_POINTER (FRAME_KERNEL_COMPOSITE), test_frame_kernel);
  g_test_add_data_func ("/cuda-emulated/frame-kernels/marks",
      GINT_TO_POINTER (FRAME_KERNEL_MARKS), test_frame_kernel);
  g_test_add_func ("/cuda-emulated/lighting-kernels", test_lighting_kernels);
  return g_test_run ();
}
