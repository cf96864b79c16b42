/* faceblit — the CUDA backend, its kernels compiled as C++ and run on the emulated
 * device (fb-device-emulated.cc), against the CPU backend: the same frames through two
 * engines must come out byte for byte the same, for every format, voting 1/3/5, both
 * synthesis resolutions, temporal on and off, a painted background, two faces and
 * every debug view. A failing device hands the frames over to the CPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fb-backend-cuda.h"
#include "fb-device-emulated.h"
#include "fb-engine.h"
#include "fb-image-io.h"
#include "fb-synth.h"
#include "fb-test-helpers.h"

#define N_FRAMES 6

/* A frame of `format` with its own planes. */
typedef struct {
  FbFrame frame;
  guint8 *memory;
  gsize size;
} TestFrame;

static TestFrame *
test_frame_from_rgb (const FbImage * rgb, FbFormat format)
{
  TestFrame *t = g_new0 (TestFrame, 1);
  int w = rgb->width, h = rgb->height, cw = (w + 1) / 2, ch = (h + 1) / 2, bpp;
  FbRect all = { 0, 0, w, h };
  FbImage *opaque = fb_image_new (w, h, 1);

  t->frame.format = format;
  t->frame.matrix = FB_YUV_BT601_LIMITED;
  t->frame.width = w;
  t->frame.height = h;
  if (format == FB_FORMAT_I420) {
    t->frame.strides[0] = w;
    t->frame.strides[1] = t->frame.strides[2] = cw;
    t->size = (gsize) w * h + 2 * (gsize) cw * ch;
  } else if (format == FB_FORMAT_NV12) {
    t->frame.strides[0] = w;
    t->frame.strides[1] = 2 * cw;
    t->size = (gsize) w * h + 2 * (gsize) cw * ch;
  } else {
    bpp = format == FB_FORMAT_RGB || format == FB_FORMAT_BGR ? 3 : 4;
    t->frame.strides[0] = w * bpp;
    t->size = (gsize) w * bpp * h;
  }
  t->memory = g_malloc0 (t->size);
  t->frame.planes[0] = t->memory;
  if (format == FB_FORMAT_I420 || format == FB_FORMAT_NV12)
    t->frame.planes[1] = t->memory + (gsize) w * h;
  if (format == FB_FORMAT_I420)
    t->frame.planes[2] = t->frame.planes[1] + (gsize) cw * ch;
  memset (opaque->data, 255, (gsize) w * h);
  fb_frame_blend_rgb (&t->frame, all, rgb, opaque);
  fb_image_free (opaque);
  return t;
}

static void
test_frame_free (TestFrame * t)
{
  g_free (t->memory);
  g_free (t);
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
  two = fb_synth_face_frame (face, w, h, 3, w / 2 - 10 * t, h / 2 + 4 * t, 0.75f, -0.04f * t);
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
  p->tracking.min_face_size = 80;
}

/* Runs a case through both backends; returns the faces stylized. */
static int
compare_backends (const Fixture * f, const Case * c)
{
  FbEngine *cpu = engine_on (f, fb_backend_cpu_new (2), FALSE);
  FbEngine *cuda = engine_on (f,
      fb_backend_cuda_new_for_device (fb_device_emulated_new (-1), 2), FALSE);
  FbRenderParams params;
  FbFaceResult faces[4];
  int i, stylized = 0;

  render_params (c, &params);
  for (i = 0; i < N_FRAMES; i++) {
    FbImage *rgb = moving_frame (f->face, i, c->two_faces);
    TestFrame *a = test_frame_from_rgb (rgb, c->format);
    TestFrame *b = test_frame_from_rgb (rgb, c->format);
    gint64 t = i * G_GINT64_CONSTANT (40000000);
    int n_a = fb_engine_process (cpu, &a->frame, t, &params, faces, 4);
    int n_b = fb_engine_process (cuda, &b->frame, t, &params, faces, 4);
    gsize k, differ = 0;

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
      TestFrame *frame = test_frame_from_rgb (rgb, FB_FORMAT_RGBA);
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
    TestFrame *frame = test_frame_from_rgb (rgb, FB_FORMAT_RGBA);
    g_assert_cmpint (fb_engine_process (engine, &frame->frame, i * 40000000, &params,
            faces, 4), ==, 2);
    test_frame_free (frame);
    fb_image_free (rgb);
  }
  g_assert_cmpuint (fb_device_emulated_bytes_in_use (device), >, 0);
  fb_engine_reset (engine);
  /* the style and the frame's luma stay on the device for the next frames; the
   * faces' buffers are gone */
  {
    gsize style_bytes = fb_device_emulated_bytes_in_use (device);
    gsize expected = 960 * 480;
    int l;
    for (l = 0; l < f.style->n_levels; l++) {
      const FbStyleLevel *level = &f.style->levels[l];
      expected += (gsize) level->rgb->stride * level->rgb->height
          + (gsize) level->guide->stride * level->guide->height
          + (gsize) level->rgb_blurred->stride * level->rgb_blurred->height
          + fb_seed_table_n_entries (level->table) * sizeof (uint32_t);
    }
    g_assert_cmpuint (style_bytes, ==, expected);
  }
  fb_engine_free (engine);
  fixture_clear (&f, NULL);
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
  g_test_add_func ("/cuda-emulated/releases-memory", test_releases_memory);
  return g_test_run ();
}
