/* faceblit — the element: negotiation, properties, metas, errors, streaming.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/video/video.h>

#include "fb-bundled-styles.h"
#include "fb-cache.h"
#include "fb-dlib.h"
#include "fb-engine.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-style.h"
#include "fb-synth.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

#define WIDTH 385
#define HEIGHT 289

/* Prepared once in main (); forked tests inherit them. */
static gchar *tmp_dir;
static gchar *source_data_dir;
static FbTestStyles test_styles;   /* in tmp_dir */

static const FbTestPlacement centre = { WIDTH / 2.0f, HEIGHT / 2.0f + 10, 1.2f, 0.0f };

static GstBuffer *
run_push (FbTestRun * run, const FbImage * rgb, GstBuffer ** input)
{
  return fb_test_run_push_full (run, rgb, FALSE, input);
}

/* Pushes a frame and returns input and output as RGB pictures. */
static GstBuffer *
run_push_rgb (FbTestRun * run, const FbImage * rgb, FbImage ** in_rgb, FbImage ** out_rgb)
{
  GstBuffer *input, *out = run_push (run, rgb, &input);

  *in_rgb = fb_test_buffer_to_rgb (input, &run->info);
  *out_rgb = fb_test_buffer_to_rgb (out, &run->info);
  gst_buffer_unref (input);
  return out;
}

static gboolean
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean equal;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  equal = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (b, &mb);
  gst_buffer_unmap (a, &ma);
  return equal;
}

/* The landmarks of the first face meta; FALSE if there is none. */
static gboolean
face_meta_landmarks (GstBuffer * buffer, FbLandmarks * lm, guint * id)
{
  GstVideoRegionOfInterestMeta *meta;
  gpointer state = NULL;
  GstStructure *param;
  const GValue *xs, *ys;
  int i;

  while ((meta = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    if (meta->roi_type == g_quark_from_string ("face"))
      break;
  if (!meta)
    return FALSE;
  param = gst_video_region_of_interest_meta_get_param (meta, "faceblit");
  fail_unless (param != NULL);
  fail_unless (gst_structure_get_uint (param, "id", id));
  xs = gst_structure_get_value (param, "landmarks-x");
  ys = gst_structure_get_value (param, "landmarks-y");
  fail_unless (xs && GST_VALUE_HOLDS_ARRAY (xs) && ys && GST_VALUE_HOLDS_ARRAY (ys));
  fail_unless_equals_int (gst_value_array_get_size (xs), FB_N_LANDMARKS);
  fail_unless_equals_int (gst_value_array_get_size (ys), FB_N_LANDMARKS);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    const GValue *x = gst_value_array_get_value (xs, i);
    const GValue *y = gst_value_array_get_value (ys, i);
    fail_unless (G_VALUE_HOLDS_FLOAT (x) && G_VALUE_HOLDS_FLOAT (y));
    lm->points[i].x = g_value_get_float (x);
    lm->points[i].y = g_value_get_float (y);
    /* every landmark lies in the meta's box, give or take the clipping */
    fail_unless (lm->points[i].x >= meta->x - 2.0f
        && lm->points[i].x <= meta->x + meta->w + 2.0f
        && lm->points[i].y >= meta->y - 2.0f
        && lm->points[i].y <= meta->y + meta->h + 2.0f,
        "landmark %d (%.1f, %.1f) outside the box %u,%u %ux%u", i, lm->points[i].x,
        lm->points[i].y, meta->x, meta->y, meta->w, meta->h);
  }
  return TRUE;
}

static double
mean_landmark_error (const FbLandmarks * a, const FbLandmarks * b)
{
  double sum = 0;
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++)
    sum += hypot (a->points[i].x - b->points[i].x, a->points[i].y - b->points[i].y);
  return sum / FB_N_LANDMARKS;
}

/* Counts pixels that differ, outside the face's landmark bounds grown by `margin`
 * face widths (above the brows by twice that, for the forehead). */
static guint
count_changed_far_away (const FbImage * a, const FbImage * b, const FbLandmarks * lm,
    float margin, guint * n_far)
{
  float x0, y0, x1, y1, m = margin * fb_landmarks_face_width (lm);
  guint changed = 0;
  int x, y;

  fb_landmarks_bounds (lm, &x0, &y0, &x1, &y1);
  *n_far = 0;
  for (y = 0; y < a->height; y++) {
    const guint8 *pa = fb_image_row (a, y), *pb = fb_image_row (b, y);
    for (x = 0; x < a->width; x++) {
      if (x > x0 - m && x < x1 + m && y > y0 - 2 * m && y < y1 + m)
        continue;
      (*n_far)++;
      changed += memcmp (pa + 3 * x, pb + 3 * x, 3) != 0;
    }
  }
  return changed;
}

static void
add_noise (FbImage * img, GRand * rand, int amplitude)
{
  int x, y;

  for (y = 0; y < img->height; y++) {
    guint8 *p = fb_image_row (img, y);
    for (x = 0; x < img->width * 3; x++)
      p[x] = CLAMP (p[x] + g_rand_int_range (rand, -amplitude, amplitude + 1), 0, 255);
  }
}

static gboolean
have_model (void)
{
  if (fb_test_model_path ())
    return TRUE;
  GST_INFO ("skipped: needs dlib's model (libdlib-data)");
  return FALSE;
}

static gboolean
have_face_data (void)
{
  if (test_styles.astronaut.image)
    return TRUE;
  GST_INFO ("skipped: needs the astronaut (python3-skimage) and dlib's model");
  return FALSE;
}

/* ---------------------------------------------------------------------------- */

GST_START_TEST (test_property_defaults_and_flags)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  FbRenderParams defaults;
  gchar *style, *model;
  gint voting, max_faces, min_face_size, detect_interval, debug_view;
  gfloat threshold, lambda_pos, lambda_app, lambda_temporal, smoothing, feather;
  gboolean background, post_messages;
  gdouble strength, lighting;
  gchar *active_style;
  guint i;
  struct
  {
    const gchar *name;
    gboolean playing, controllable;
  } flags[] = {
    {"style", TRUE, FALSE}, {"style-landmarks", TRUE, FALSE},
    {"model", FALSE, FALSE}, {"backend", FALSE, FALSE}, {"threads", FALSE, FALSE},
    {"voting", TRUE, TRUE}, {"threshold", TRUE, TRUE}, {"lambda-pos", TRUE, TRUE},
    {"lambda-app", TRUE, TRUE}, {"lambda-temporal", TRUE, TRUE},
    {"stylize-background", TRUE, FALSE}, {"strength", TRUE, TRUE},
    {"lighting", TRUE, TRUE},
    {"max-faces", TRUE, FALSE},
    {"min-face-size", FALSE, FALSE}, {"detect-interval", FALSE, FALSE},
    {"smoothing", TRUE, TRUE}, {"mask-feather", TRUE, TRUE},
    {"debug-view", TRUE, FALSE}, {"post-messages", TRUE, FALSE},
    {"active-style", FALSE, FALSE},
  };

  fail_unless (element != NULL);
  fb_render_params_init_defaults (&defaults);
  g_object_get (element, "style", &style, "model", &model, "voting", &voting,
      "threshold", &threshold, "lambda-pos", &lambda_pos, "lambda-app", &lambda_app,
      "lambda-temporal", &lambda_temporal, "stylize-background", &background,
      "max-faces", &max_faces, "min-face-size", &min_face_size, "detect-interval",
      &detect_interval, "smoothing", &smoothing, "mask-feather", &feather,
      "debug-view", &debug_view, "post-messages", &post_messages, "active-style",
      &active_style, "strength", &strength, "lighting", &lighting, NULL);
  fail_unless (style == NULL);
  fail_unless (active_style == NULL);
  fail_if (post_messages);
  fail_unless_equals_string (model, FB_DEFAULT_MODEL);
  fail_unless_equals_int (voting, defaults.voting);
  fail_unless_equals_float (threshold, defaults.threshold);
  fail_unless_equals_float (lambda_pos, 10.0f);
  fail_unless_equals_float (lambda_app, 2.0f);
  fail_unless_equals_float (lambda_temporal, defaults.lambda_temporal);
  fail_unless_equals_int (background, defaults.stylize_background);
  fail_unless_equals_float (strength, 1.0);
  fail_unless_equals_float (lighting, 0.0);
  fail_unless_equals_float (lighting, defaults.lighting);
  fail_unless_equals_int (max_faces, defaults.tracking.max_faces);
  fail_unless_equals_int (min_face_size, defaults.tracking.min_face_size);
  fail_unless_equals_int (detect_interval, defaults.tracking.detect_interval);
  fail_unless_equals_float (smoothing, defaults.tracking.smoothing);
  fail_unless_equals_float (feather, defaults.mask_feather);
  fail_unless_equals_int (debug_view, defaults.debug_view);
  g_free (model);

  for (i = 0; i < G_N_ELEMENTS (flags); i++) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element),
        flags[i].name);
    fail_unless (pspec != NULL, "no property %s", flags[i].name);
    fail_unless ((pspec->flags & G_PARAM_STATIC_STRINGS) == G_PARAM_STATIC_STRINGS);
    fail_unless (strlen (g_param_spec_get_blurb (pspec)) > 40,
        "%s needs a real description", flags[i].name);
    fail_unless_equals_int (! !(pspec->flags & GST_PARAM_MUTABLE_PLAYING),
        flags[i].playing);
    fail_unless_equals_int (! !(pspec->flags & GST_PARAM_CONTROLLABLE),
        flags[i].controllable);
  }
  gst_object_unref (element);
}

GST_END_TEST;

/* voting is an enum of the three window widths: gst-inspect lists them, gst-launch
 * takes them by number and refuses the others. */
GST_START_TEST (test_voting_choices)
{
  const gint widths[] = { 1, 3, 5 };
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element),
      "voting");
  GEnumClass *choices;
  GError *error = NULL;
  gint voting;
  guint i;

  fail_unless (G_IS_PARAM_SPEC_ENUM (pspec));
  choices = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  fail_unless_equals_int (choices->n_values, G_N_ELEMENTS (widths));
  for (i = 0; i < G_N_ELEMENTS (widths); i++)
    fail_unless_equals_int (choices->values[i].value, widths[i]);

  g_object_set (element, "voting", 5, NULL);
  ASSERT_WARNING (g_object_set (element, "voting", 2, NULL));
  g_object_get (element, "voting", &voting, NULL);
  fail_unless_equals_int (voting, 5);
  gst_util_set_object_arg (G_OBJECT (element), "voting", "1");
  g_object_get (element, "voting", &voting, NULL);
  fail_unless_equals_int (voting, 1);
  gst_object_unref (element);

  element = gst_parse_launch ("faceblit voting=3", &error);
  fail_unless (element != NULL && error == NULL);
  g_object_get (element, "voting", &voting, NULL);
  fail_unless_equals_int (voting, 3);
  gst_object_unref (element);
  element = gst_parse_launch ("faceblit voting=4", &error);
  fail_unless (error != NULL, "voting=4 was taken");
  g_clear_error (&error);
  if (element)
    gst_object_unref (element);
}

GST_END_TEST;

static const GstVideoFormat all_formats[] = {
  GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB,
  GST_VIDEO_FORMAT_ABGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
  GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGB,
  GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12,
  GST_VIDEO_FORMAT_NV21, GST_VIDEO_FORMAT_YUY2, GST_VIDEO_FORMAT_UYVY,
  GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420_10LE, GST_VIDEO_FORMAT_P010_10LE,
};


/* Every format at an odd size negotiates, finds the face, restyles it (the swapped
 * exemplar turns the skin blue) and leaves everything far from the face untouched. */
GST_START_TEST (test_every_format_at_odd_size)
{
  FbLandmarks truth, found;
  FbRect inner;
  FbImage *frame;
  guint i;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    const gchar *name = gst_video_format_to_string (all_formats[i]);
    FbImage *in, *out;
    GstBuffer *buffer;
    GstCaps *caps, *expected;
    guint id, n_far;
    FbTestRun run;

    fb_test_run_start (&run, all_formats[i], WIDTH, HEIGHT, "style", test_styles.blue, NULL);
    buffer = run_push_rgb (&run, frame, &in, &out);

    caps = gst_pad_get_current_caps (run.h->sinkpad);
    expected = gst_video_info_to_caps (&run.info);
    fail_unless (gst_caps_is_equal (caps, expected), "%s: output caps %"
        GST_PTR_FORMAT, name, caps);
    gst_caps_unref (expected);
    gst_caps_unref (caps);

    fail_unless_equals_int (fb_test_count_faces (buffer), 1);
    fail_unless (face_meta_landmarks (buffer, &found, &id));
    fail_unless (mean_landmark_error (&found, &truth) <
        0.06 * fb_landmarks_face_width (&truth), "%s: landmarks off by %.1f px",
        name, mean_landmark_error (&found, &truth));
    if (all_formats[i] == GST_VIDEO_FORMAT_GRAY8) {
      /* grey has no red or blue: the swapped exemplar's skin is darker */
      fail_unless (fb_test_mean_abs_diff (in, out, inner) > 5, "%s: face not restyled "
          "(mean difference %.1f)", name, fb_test_mean_abs_diff (in, out, inner));
    } else {
      fail_unless (fb_test_mean_red_minus_blue (in, inner) > 20);
      fail_unless (fb_test_mean_red_minus_blue (out, inner) < -20,
          "%s: face not restyled (red - blue = %.1f)", name,
          fb_test_mean_red_minus_blue (out, inner));
    }
    fail_unless_equals_int (count_changed_far_away (in, out, &truth, 0.6f, &n_far), 0);
    fail_unless (n_far > 1000);

    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
    fb_test_run_stop (&run);
  }
  fb_image_free (frame);
}

GST_END_TEST;

GST_START_TEST (test_no_face_is_bit_exact)
{
  FbImage *picture = fb_test_random_image (WIDTH, HEIGHT, 3, 12.0f, 7);
  const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_I420,
    GST_VIDEO_FORMAT_YUY2, GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_P010_10LE
  };
  guint i, k;

  if (!have_model ())
    goto done;
  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    FbTestRun run;

    fb_test_run_start (&run, formats[i], WIDTH, HEIGHT, NULL);
    for (k = 0; k < 3; k++) {
      GstBuffer *input, *out = run_push (&run, picture, &input);

      fail_unless (buffers_equal (input, out), "%s frame %u changed",
          gst_video_format_to_string (formats[i]), k);
      fail_unless_equals_int (fb_test_count_faces (out), 0);
      gst_buffer_unref (input);
      gst_buffer_unref (out);
    }
    fb_test_run_stop (&run);
  }
done:
  fb_image_free (picture);
}

GST_END_TEST;

/* One "face" meta per frame with a stable id and the 68 landmarks where the face is. */
GST_START_TEST (test_face_meta)
{
  FbLandmarks truth, found;
  FbImage *frame;
  guint k, id, first_id = 0;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  for (k = 0; k < 4; k++) {
    GstBuffer *out = run_push (&run, frame, NULL);

    fail_unless_equals_int (fb_test_count_faces (out), 1);
    fail_unless (face_meta_landmarks (out, &found, &id));
    if (k == 0)
      first_id = id;
    fail_unless_equals_int (id, first_id);
    fail_unless (mean_landmark_error (&found, &truth) <
        0.06 * fb_landmarks_face_width (&truth), "landmarks off by %.1f px",
        mean_landmark_error (&found, &truth));
    gst_buffer_unref (out);
  }
  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

/* Sets one bit per 24-bit colour present in any level of the exemplar. */
static guint8 *
style_colour_set (const gchar * image, const gchar * lm)
{
  FbStyleParams params = { 10.0f, 2.0f };
  GError *error = NULL;
  FbStyle *style = fb_style_load (image, lm, NULL, &params, &error);
  guint8 *set = g_malloc0 (1 << 21);
  int l, x, y;

  fail_unless (style != NULL, "%s", error ? error->message : "");
  for (l = 0; l < style->n_levels; l++) {
    const FbImage *rgb = style->levels[l].rgb;
    for (y = 0; y < rgb->height; y++) {
      const guint8 *p = fb_image_row (rgb, y);
      for (x = 0; x < rgb->width; x++, p += 3) {
        guint32 c = p[0] << 16 | p[1] << 8 | p[2];
        set[c >> 3] |= 1 << (c & 7);
      }
    }
  }
  fb_style_unref (style);
  return set;
}

static double
fraction_in_set (const FbImage * img, FbRect r, const guint8 * set)
{
  guint n = 0;
  int x, y;

  for (y = r.y; y < r.y + r.height; y++) {
    const guint8 *p = fb_image_row (img, y) + 3 * r.x;
    for (x = 0; x < r.width; x++, p += 3) {
      guint32 c = p[0] << 16 | p[1] << 8 | p[2];
      n += (set[c >> 3] >> (c & 7)) & 1;
    }
  }
  return (double) n / (r.width * r.height);
}

/* Without voting, feathering or the temporal term the face is made of exemplar
 * pixels, copied, not blended, whatever the synthesis resolution. */
GST_START_TEST (test_face_made_of_exemplar_pixels)
{
  /* the values of the synthesis-resolution enum */
  const char *resolutions[] = { "full", "half" };
  FbLandmarks truth;
  FbImage *frame, *in, *out;
  guint8 *colours;
  FbRect inner;
  GstBuffer *buffer;
  FbTestRun run;
  guint i;

  if (!have_face_data ())
    return;
  colours = style_colour_set (test_styles.blue, test_styles.blue_lm);
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  for (i = 0; i < G_N_ELEMENTS (resolutions); i++) {
    fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue,
        "voting", 1, "mask-feather", 0.0f, "lambda-temporal", 0.0f,
        "synthesis-resolution", i, NULL);
    buffer = run_push_rgb (&run, frame, &in, &out);

    /* the check has teeth: the input's own colours are mostly not the exemplar's */
    fail_unless (fraction_in_set (in, inner, colours) < 0.5);
    fail_unless (fraction_in_set (out, inner, colours) > 0.99,
        "synthesis at %s resolution: only %.1f %% of the face are exemplar colours",
        resolutions[i], 100 * fraction_in_set (out, inner, colours));

    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
    fb_test_run_stop (&run);
  }
  fb_image_free (frame);
  g_free (colours);
}

GST_END_TEST;

/* With style unset, the bundled default style is looked up in $FACEBLIT_DATA_DIR/styles. */
GST_START_TEST (test_default_style_from_data_dir)
{
  gchar *dir = g_build_filename (tmp_dir, "data", NULL);
  gchar *styles = g_build_filename (dir, "styles", NULL);
  gchar *image = g_build_filename (styles, FB_DEFAULT_STYLE_NAME ".png", NULL);
  gchar *lm = g_build_filename (styles, FB_DEFAULT_STYLE_NAME ".lm.txt", NULL);
  gchar *contents;
  gsize length;
  FbLandmarks truth;
  FbImage *frame, *in, *out;
  GstBuffer *buffer;
  FbTestRun run;

  if (!have_face_data ())
    goto done;
  g_mkdir_with_parents (styles, 0700);
  fail_unless (g_file_get_contents (test_styles.blue, &contents, &length, NULL));
  fail_unless (g_file_set_contents (image, contents, length, NULL));
  g_free (contents);
  fail_unless (g_file_get_contents (test_styles.blue_lm, &contents, &length, NULL));
  fail_unless (g_file_set_contents (lm, contents, length, NULL));
  g_free (contents);
  g_setenv ("FACEBLIT_DATA_DIR", dir, TRUE);

  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, NULL);
  buffer = run_push_rgb (&run, frame, &in, &out);
  fail_unless (fb_test_mean_red_minus_blue (out, fb_test_inner_face (&truth)) < -20);
  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_image_free (out);
  fb_test_run_stop (&run);
  fb_image_free (frame);
  g_setenv ("FACEBLIT_DATA_DIR", source_data_dir, TRUE);
done:
  g_free (lm);
  g_free (image);
  g_free (styles);
  g_free (dir);
}

GST_END_TEST;

/* NAME.lm.txt beside NAME.png gives the landmarks when style-landmarks is unset: a
 * faceless picture with one starts, where it fails without (test_error_style_...). */
GST_START_TEST (test_landmarks_beside_exemplar)
{
  gchar *image, *lm;
  FbImage *grey;
  GError *error = NULL;
  GstBuffer *buffer;
  FbTestRun run;

  if (!have_face_data ())
    return;
  grey = fb_image_new (test_styles.astronaut.image->width, test_styles.astronaut.image->height, 3);
  memset (grey->data, 128, (gsize) grey->stride * grey->height);
  image = g_build_filename (tmp_dir, "grey-with-landmarks.png", NULL);
  lm = g_build_filename (tmp_dir, "grey-with-landmarks.lm.txt", NULL);
  fail_unless (fb_image_save_png (grey, image, &error));
  fail_unless (fb_landmarks_save (lm, &test_styles.astronaut.landmarks, &error));

  fb_image_free (grey);
  grey = fb_test_random_image (WIDTH, HEIGHT, 3, 12.0f, 5);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", image, NULL);
  buffer = run_push (&run, grey, NULL);
  gst_buffer_unref (buffer);
  fb_test_run_stop (&run);

  fb_image_free (grey);
  g_free (lm);
  g_free (image);
}

GST_END_TEST;

/* A new style set while playing shows at the next frame; one that cannot be loaded
 * is reported as a warning and the current one stays. */
/* How long a test waits for a style prepared in the background: 3 s. */
#define STYLE_WAIT_FRAMES 150
#define STYLE_WAIT_US 20000

GST_START_TEST (test_style_switch_while_playing)
{
  FbLandmarks truth;
  FbImage *frame, *in, *out, *prev;
  GstBuffer *buffer;
  GstBus *bus;
  GstMessage *msg;
  GError *error = NULL;
  FbRect inner;
  guint k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.plain,
      "style-landmarks", test_styles.plain_lm, NULL);
  for (k = 0; k < 3; k++) {
    buffer = run_push_rgb (&run, frame, &in, &out);
    fail_unless (fb_test_mean_red_minus_blue (out, inner) > 20);
    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
  }

  /* a style is handed over whole, once every property of a g_object_set () is set */
  g_object_freeze_notify (G_OBJECT (run.h->element));
  g_object_set (run.h->element, "style", test_styles.blue, NULL);
  buffer = run_push_rgb (&run, frame, &in, &out);
  fail_unless (fb_test_mean_red_minus_blue (out, inner) > 20, "half a style change applied");
  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_image_free (out);
  g_object_set (run.h->element, "style-landmarks", test_styles.blue_lm, NULL);
  g_object_thaw_notify (G_OBJECT (run.h->element));

  /* the new style is prepared in the background: the old one shows until it is ready */
  for (k = 0; k < STYLE_WAIT_FRAMES; k++) {
    buffer = run_push_rgb (&run, frame, &in, &out);
    if (fb_test_mean_red_minus_blue (out, inner) < -20)
      break;
    fail_unless (fb_test_mean_red_minus_blue (out, inner) > 20, "a mix of two styles");
    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
    g_usleep (STYLE_WAIT_US);
  }
  fail_unless (k < STYLE_WAIT_FRAMES, "the new style never showed");
  fail_unless_equals_int (fb_test_count_faces (buffer), 1);
  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_test_run_assert_quiet (&run);

  /* new weights rebuild the seed tables: other chunks from the same exemplar */
  g_object_set (run.h->element, "lambda-pos", 1.0f, "lambda-app", 8.0f, NULL);
  prev = out;
  for (k = 0; k < STYLE_WAIT_FRAMES; k++) {
    buffer = run_push_rgb (&run, frame, &in, &out);
    fail_unless (fb_test_mean_red_minus_blue (out, inner) < -20);
    if (fb_test_mean_abs_diff (prev, out, inner) > 2.0)
      break;
    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
    g_usleep (STYLE_WAIT_US);
  }
  fail_unless (k < STYLE_WAIT_FRAMES, "new weights do not change the face");
  GST_INFO ("new weights changed the face by %.2f", fb_test_mean_abs_diff (prev, out, inner));
  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_image_free (out);
  fb_image_free (prev);
  fb_test_run_assert_quiet (&run);

  g_object_set (run.h->element, "style", "/nonexistent/style.png", NULL);
  bus = gst_element_get_bus (run.h->element);
  msg = NULL;
  for (k = 0; k < STYLE_WAIT_FRAMES && !msg; k++) {
    buffer = run_push_rgb (&run, frame, &in, &out);
    fail_unless (fb_test_mean_red_minus_blue (out, inner) < -20, "the previous style is gone");
    gst_buffer_unref (buffer);
    fb_image_free (in);
    fb_image_free (out);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    if (!msg)
      g_usleep (STYLE_WAIT_US);
  }
  fail_unless (msg != NULL, "no warning about the missing style");
  gst_message_parse_warning (msg, &error, NULL);
  fail_unless (strstr (error->message, "/nonexistent/style.png") != NULL,
      "the warning does not name the file: %s", error->message);
  g_error_free (error);
  gst_message_unref (msg);
  gst_object_unref (bus);

  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

typedef enum
{
  JUMP_ALONE,
  JUMP_AFTER_FLUSH,
  JUMP_AFTER_SEEK,
  JUMP_WITH_DISCONT,
  JUMP_WITH_NEW_CAPS,
} Jump;

/* The face jumps across the frame. Tracking alone cannot find it at once (detection
 * runs in the background), but after a reset the first frame detects synchronously,
 * so the face must be found and stylized at once. */
static void
check_jump (Jump how)
{
  const FbTestPlacement a = { 120, 150, 1.0f, 0.0f }, b = { 265, 140, 1.0f, 0.0f };
  FbLandmarks truth, found;
  FbImage *frame, *in, *out;
  GstBuffer *input, *buffer;
  GstSegment segment;
  guint k, id;
  int width = WIDTH, height = HEIGHT;
  FbTestRun run;

  if (!have_face_data ())
    return;
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  frame = fb_test_render_face (&test_styles.astronaut, a, WIDTH, HEIGHT, &truth);
  for (k = 0; k < 4; k++) {
    buffer = run_push (&run, frame, NULL);
    fail_unless_equals_int (fb_test_count_faces (buffer), 1);
    gst_buffer_unref (buffer);
  }
  fb_image_free (frame);

  gst_segment_init (&segment, GST_FORMAT_TIME);
  switch (how) {
    case JUMP_AFTER_FLUSH:
      fail_unless (gst_harness_push_event (run.h, gst_event_new_flush_start ()));
      fail_unless (gst_harness_push_event (run.h, gst_event_new_flush_stop (FALSE)));
      /* the same segment again, so that only the flush can cause the reset */
      fail_unless (gst_harness_push_event (run.h, gst_event_new_segment (&segment)));
      break;
    case JUMP_AFTER_SEEK:
      segment.start = segment.time = run.n_pushed * FB_TEST_FRAME_DURATION;
      segment.position = segment.start;
      fail_unless (gst_harness_push_event (run.h, gst_event_new_segment (&segment)));
      break;
    case JUMP_WITH_NEW_CAPS:
      width += 2;
      height += 2;
      fb_test_run_set_caps (&run, GST_VIDEO_FORMAT_RGBA, width, height);
      break;
    default:
      break;
  }

  frame = fb_test_render_face (&test_styles.astronaut, b, width, height, &truth);
  input = fb_test_buffer_from_rgb (frame, &run.info);
  GST_BUFFER_PTS (input) = run.n_pushed++ * FB_TEST_FRAME_DURATION;
  GST_BUFFER_DURATION (input) = FB_TEST_FRAME_DURATION;
  if (how == JUMP_WITH_DISCONT)
    GST_BUFFER_FLAG_SET (input, GST_BUFFER_FLAG_DISCONT);
  in = fb_test_buffer_to_rgb (input, &run.info);
  buffer = gst_harness_push_and_pull (run.h, input);
  out = fb_test_buffer_to_rgb (buffer, &run.info);

  if (how == JUMP_ALONE) {
    fail_if (face_meta_landmarks (buffer, &found, &id)
        && mean_landmark_error (&found, &truth) < 0.2 *
        fb_landmarks_face_width (&truth),
        "a face that jumped was found without a reset: the other jump tests "
        "prove nothing");
  } else {
    fail_unless (face_meta_landmarks (buffer, &found, &id), "no face after the reset");
    fail_unless (mean_landmark_error (&found, &truth) <
        0.06 * fb_landmarks_face_width (&truth), "landmarks off by %.1f px",
        mean_landmark_error (&found, &truth));
    fail_unless (fb_test_mean_red_minus_blue (out, fb_test_inner_face (&truth)) < -20);
  }

  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_image_free (out);
  fb_image_free (frame);
  fb_test_run_stop (&run);
}

GST_START_TEST (test_jump_without_reset)
{
  check_jump (JUMP_ALONE);
}

GST_END_TEST;

GST_START_TEST (test_flush_resets)
{
  check_jump (JUMP_AFTER_FLUSH);
}

GST_END_TEST;

GST_START_TEST (test_seek_resets)
{
  check_jump (JUMP_AFTER_SEEK);
}

GST_END_TEST;

GST_START_TEST (test_discont_resets)
{
  check_jump (JUMP_WITH_DISCONT);
}

GST_END_TEST;

GST_START_TEST (test_caps_change_resets)
{
  check_jump (JUMP_WITH_NEW_CAPS);
}

GST_END_TEST;

/* A still face under camera noise: the stylized face stays much steadier than the
 * input. */
GST_START_TEST (test_still_face_does_not_flicker)
{
  FbLandmarks truth;
  FbImage *frame, *noisy, *in, *out, *prev_in = NULL, *prev_out = NULL;
  GRand *rand = g_rand_new_with_seed (3);
  double in_change = 0, out_change = 0;
  FbRect inner;
  guint k, n = 0;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  for (k = 0; k < 14; k++) {
    GstBuffer *buffer;

    noisy = fb_image_copy (frame);
    add_noise (noisy, rand, 12);
    buffer = run_push_rgb (&run, noisy, &in, &out);
    fail_unless_equals_int (fb_test_count_faces (buffer), 1);
    gst_buffer_unref (buffer);
    fb_image_free (noisy);
    if (k >= 4) {
      in_change += fb_test_mean_abs_diff (in, prev_in, inner);
      out_change += fb_test_mean_abs_diff (out, prev_out, inner);
      n++;
    }
    if (prev_in) {
      fb_image_free (prev_in);
      fb_image_free (prev_out);
    }
    prev_in = in;
    prev_out = out;
  }
  GST_INFO ("mean change between frames: input %.2f, output %.2f", in_change / n,
      out_change / n);
  fail_unless (out_change < 0.3 * in_change,
      "the output flickers: it changes by %.2f per frame, the input by %.2f",
      out_change / n, in_change / n);

  fb_image_free (prev_in);
  fb_image_free (prev_out);
  fb_image_free (frame);
  g_rand_free (rand);
  fb_test_run_stop (&run);
}

GST_END_TEST;

/* A face that moves, turns and grows over 60 frames is followed throughout. */
GST_START_TEST (test_moving_face)
{
  guint k, n_found = 0;
  FbTestRun run;

  if (!have_face_data ())
    return;
  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  for (k = 0; k < 60; k++) {
    float t = k / 59.0f;
    FbTestPlacement p = { 130 + 120 * t, 150 + 15 * sinf (6.0f * t), 1.0f + 0.3f * t,
      0.25f * sinf (4.0f * t)
    };
    FbLandmarks truth, found;
    FbImage *frame = fb_test_render_face (&test_styles.astronaut, p, WIDTH, HEIGHT, &truth);
    GstBuffer *buffer = run_push (&run, frame, NULL);
    guint id;

    fail_unless (fb_test_count_faces (buffer) <= 1);
    if (face_meta_landmarks (buffer, &found, &id)
        && mean_landmark_error (&found, &truth) <
        0.1 * fb_landmarks_face_width (&truth))
      n_found++;
    gst_buffer_unref (buffer);
    fb_image_free (frame);
  }
  fail_unless (n_found >= 57, "the face was followed in only %u of 60 frames",
      n_found);
  fb_test_run_stop (&run);
}

GST_END_TEST;

/* lighting takes 0 to 1; 0 (the default) is the output of an element where it was
 * never set, byte for byte, also after it was 1 for a while; at 1 the face changes. */
GST_START_TEST (test_lighting)
{
  enum { N = 6, LIT_FRAMES = 3 };
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GParamSpecDouble *pspec = G_PARAM_SPEC_DOUBLE (g_object_class_find_property
      (G_OBJECT_GET_CLASS (element), "lighting"));
  FbLandmarks truth;
  FbImage *frame;
  FbTestRun plain, lit;
  guint k;

  fail_unless_equals_float (pspec->minimum, 0.0);
  fail_unless_equals_float (pspec->maximum, 1.0);
  fail_unless_equals_float (pspec->default_value, 0.0);
  gst_object_unref (element);
  if (!have_face_data ())
    return;
  /* both elements must see the same landmarks on the same frames */
  g_setenv ("FACEBLIT_SYNCHRONOUS_DETECTION", "1", TRUE);
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  fb_test_run_start (&plain, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style",
      test_styles.blue, NULL);
  fb_test_run_start (&lit, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style",
      test_styles.blue, "lighting", 1.0, NULL);
  for (k = 0; k < N; k++) {
    GstBuffer *a, *b;

    if (k == LIT_FRAMES)
      g_object_set (lit.h->element, "lighting", 0.0, NULL);
    a = run_push (&plain, frame, NULL);
    b = run_push (&lit, frame, NULL);
    fail_unless_equals_int (fb_test_count_faces (a), 1);
    if (k < LIT_FRAMES)
      fail_if (buffers_equal (a, b), "frame %u: lighting 1 changed nothing", k);
    else
      fail_unless (buffers_equal (a, b), "frame %u: lighting 0 is not the default "
          "output", k);
    gst_buffer_unref (a);
    gst_buffer_unref (b);
  }
  fb_test_run_stop (&plain);
  fb_test_run_stop (&lit);
  fb_image_free (frame);
  g_unsetenv ("FACEBLIT_SYNCHRONOUS_DETECTION");
}

GST_END_TEST;

/* strength animated by a controller over the stream time: the face stays the input,
 * bit for bit, while it is 0, fades in linearly, and is followed all the while. */
GST_START_TEST (test_strength_animated)
{
  enum { N = 13, FADE_START = 2, FADE_END = 10 };
  GstControlSource *fade = gst_interpolation_control_source_new ();
  FbLandmarks truth;
  FbImage *frame;
  FbRect inner;
  double change[N];
  guint k;
  FbTestRun run;

  if (!have_face_data ()) {
    gst_object_unref (fade);
    return;
  }
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  g_object_set (fade, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  /* before its first point a control source leaves the property alone */
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (fade), 0, 0.0);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (fade),
      FADE_START * FB_TEST_FRAME_DURATION, 0.0);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (fade),
      FADE_END * FB_TEST_FRAME_DURATION, 1.0);
  gst_object_add_control_binding (GST_OBJECT (run.h->element),
      gst_direct_control_binding_new (GST_OBJECT (run.h->element), "strength", fade));

  for (k = 0; k < N; k++) {
    GstBuffer *input, *out = run_push (&run, frame, &input);
    FbImage *in_rgb = fb_test_buffer_to_rgb (input, &run.info);
    FbImage *out_rgb = fb_test_buffer_to_rgb (out, &run.info);

    fail_unless_equals_int (fb_test_count_faces (out), 1);
    if (k <= FADE_START)
      fail_unless (buffers_equal (input, out), "frame %u changed at strength 0", k);
    change[k] = fb_test_mean_abs_diff (in_rgb, out_rgb, inner);
    GST_INFO ("frame %u: the face changed by %.2f", k, change[k]);
    gst_buffer_unref (input);
    gst_buffer_unref (out);
    fb_image_free (in_rgb);
    fb_image_free (out_rgb);
  }
  for (k = FADE_START + 1; k <= FADE_END; k++)
    fail_unless (change[k] > change[k - 1], "the fade went back at frame %u: %.2f, "
        "then %.2f", k, change[k - 1], change[k]);
  /* half-way through the fade, half of the full change */
  k = (FADE_START + FADE_END) / 2;
  fail_unless (fabs (change[k] / change[N - 1] - 0.5) < 0.1,
      "at strength 0.5 the face changed by %.2f, at 1 by %.2f", change[k],
      change[N - 1]);

  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

/* Render properties apply from the next frame (test-lifecycle changes them from
 * another thread while frames flow). */
GST_START_TEST (test_render_properties_apply_at_next_frame)
{
  FbLandmarks truth;
  FbImage *frame, *in, *out;
  GstBuffer *buffer;
  FbRect inner;
  int x, y, n_grey = 0;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, &truth);
  inner = fb_test_inner_face (&truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", test_styles.blue, NULL);
  buffer = run_push (&run, frame, NULL);
  gst_buffer_unref (buffer);

  g_object_set (run.h->element, "debug-view", FB_DEBUG_VIEW_MASK, NULL);
  buffer = run_push_rgb (&run, frame, &in, &out);
  for (y = inner.y; y < inner.y + inner.height; y++)
    for (x = inner.x; x < inner.x + inner.width; x++) {
      const guint8 *p = fb_image_row (out, y) + 3 * x;
      n_grey += p[0] == p[1] && p[1] == p[2];
    }
  fail_unless (n_grey == inner.width * inner.height,
      "debug-view=mask does not show at the next frame");
  gst_buffer_unref (buffer);
  fb_image_free (in);
  fb_image_free (out);


  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

/* Starts faceblit with the given properties; expects the start to fail and returns
 * the error it posted. */
static GError *
start_error (const gchar * first_property, ...)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;
  va_list args;

  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (element), first_property, args);
  va_end (args);
  gst_element_set_bus (element, bus);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &error, &debug);
  GST_INFO ("error: %s (%s)", error->message, debug);
  gst_message_unref (msg);
  g_free (debug);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
  return error;
}

/* The message names `path` and, once the path is cut out, contains `what`. */
static void
assert_message (const GError * error, const gchar * path, const gchar * what)
{
  gchar **parts;
  gchar *rest;

  fail_unless (strstr (error->message, path) != NULL, "\"%s\" does not name %s",
      error->message, path);
  parts = g_strsplit (error->message, path, -1);
  rest = g_strjoinv ("", parts);
  fail_unless (strstr (rest, what) != NULL, "\"%s\" does not say \"%s\"",
      error->message, what);
  g_free (rest);
  g_strfreev (parts);
}

static gchar *
write_tmp_file (const gchar * name, const gchar * contents)
{
  gchar *path = g_build_filename (tmp_dir, name, NULL);

  fail_unless (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* Two astronauts side by side. */
static FbImage *
render_two_faces (void)
{
  g_autoptr (FbImage) one = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, NULL);
  FbImage *two = fb_image_new (2 * WIDTH, HEIGHT, 3);
  int y;

  for (y = 0; y < HEIGHT; y++) {
    memcpy (fb_image_row (two, y), fb_image_row (one, y), 3 * WIDTH);
    memcpy (fb_image_row (two, y) + 3 * WIDTH, fb_image_row (one, y), 3 * WIDTH);
  }
  return two;
}

/* Pushes frames until count_faces gives `expected` (detection runs in the background),
 * at most 100 of them. */
static void
push_until_faces (FbTestRun * run, const FbImage * frame, guint expected)
{
  guint k, n = G_MAXUINT;

  for (k = 0; k < 100 && n != expected; k++) {
    GstBuffer *buffer = run_push (run, frame, NULL);
    n = fb_test_count_faces (buffer);
    gst_buffer_unref (buffer);
    if (n != expected)
      g_usleep (20000);
  }
  fail_unless_equals_int (n, expected);
}

/* max-faces takes effect while playing: fewer at the next frame, more at a detection. */
GST_START_TEST (test_max_faces_while_playing)
{
  FbImage *frame;
  GstBuffer *buffer;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = render_two_faces ();
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, 2 * WIDTH, HEIGHT, "style", test_styles.blue,
      "max-faces", 2, "detect-interval", 1, NULL);
  buffer = run_push (&run, frame, NULL);
  fail_unless_equals_int (fb_test_count_faces (buffer), 2);
  gst_buffer_unref (buffer);

  g_object_set (run.h->element, "max-faces", 1, NULL);
  buffer = run_push (&run, frame, NULL);
  fail_unless_equals_int (fb_test_count_faces (buffer), 1);
  gst_buffer_unref (buffer);

  g_object_set (run.h->element, "max-faces", 2, NULL);
  push_until_faces (&run, frame, 2);
  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

/* A damaged cache entry of the style is rebuilt, and a warning on the bus says which
 * file it was; the rebuilt entry then loads quietly. The style is one of its own (the
 * blue exemplar, one pixel changed): the other test programs, run at the same time,
 * share the cache folder and would rewrite a shared style's entry. */
GST_START_TEST (test_damaged_cache_entry_warns)
{
  const FbStyleParams params = { FB_STYLE_DEFAULT_LAMBDA_POS,
    FB_STYLE_DEFAULT_LAMBDA_APP
  };
  g_autoptr (FbStyle) style = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *image = NULL;
  g_autofree gchar *landmarks = NULL;
  g_autoptr (FbImage) exemplar = NULL;
  GError *error = NULL;
  GstMessage *msg;
  GstBus *bus;
  FbImage *frame;
  GstBuffer *buffer;
  gsize length;
  FbTestRun run;

  if (!have_face_data ())
    return;
  exemplar = fb_test_swap_red_blue (test_styles.astronaut.image);
  exemplar->data[0] ^= 0x80;
  fail_unless (fb_test_save_style (exemplar, &test_styles.astronaut.landmarks, tmp_dir,
          "damaged-cache", &image, &landmarks, &error), "%s", error ? error->message : "");
  style = fb_style_load (image, landmarks, NULL, &params, &error);
  fail_unless (style != NULL, "%s", error ? error->message : "");
  path = fb_cache_path (style->digest);
  fail_unless (g_file_get_contents (path, &contents, &length, NULL));
  contents[length / 2] ^= 0x01;
  fail_unless (g_file_set_contents (path, contents, length, NULL));

  frame = fb_test_render_face (&test_styles.astronaut, centre, WIDTH, HEIGHT, NULL);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", image, "style-landmarks", landmarks, NULL);
  buffer = run_push (&run, frame, NULL);
  fail_unless_equals_int (fb_test_count_faces (buffer), 1);
  gst_buffer_unref (buffer);
  bus = gst_element_get_bus (run.h->element);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning about the damaged cache entry");
  gst_message_parse_warning (msg, &error, NULL);
  assert_message (error, path, "rebuilt");
  g_clear_error (&error);
  gst_message_unref (msg);
  gst_object_unref (bus);
  fb_test_run_stop (&run);

  /* once: the rebuilt entry is fine */
  fb_test_run_start (&run, GST_VIDEO_FORMAT_RGBA, WIDTH, HEIGHT, "style", image, "style-landmarks", landmarks, NULL);
  buffer = run_push (&run, frame, NULL);
  gst_buffer_unref (buffer);
  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

GST_START_TEST (test_error_style_missing)
{
  GError *error;

  if (!have_model ())
    return;
  error = start_error ("style", "/nonexistent/portrait.png", NULL);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND), "%s", error->message);
  assert_message (error, "/nonexistent/portrait.png", "Style exemplar");
  g_error_free (error);
}

GST_END_TEST;

GST_START_TEST (test_error_style_not_an_image)
{
  gchar *path;
  GError *error;

  if (!have_model ())
    return;
  path = write_tmp_file ("text.png", "this is not a picture\n");
  error = start_error ("style", path, NULL);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", error->message);
  assert_message (error, path, "PNG");
  g_error_free (error);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_error_style_without_face)
{
  gchar *path;
  FbImage *grey;
  GError *error = NULL;

  if (!have_model ())
    return;
  path = g_build_filename (tmp_dir, "grey.png", NULL);
  grey = fb_image_new (200, 240, 3);
  memset (grey->data, 128, (gsize) grey->stride * grey->height);
  fail_unless (fb_image_save_png (grey, path, &error));
  error = start_error ("style", path, NULL);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", error->message);
  assert_message (error, path, "style-landmarks");
  g_error_free (error);
  fb_image_free (grey);
  g_free (path);
}

GST_END_TEST;

static gchar *
landmark_text (int n_points, int bad_line)
{
  GString *text = g_string_new (NULL);
  int i;

  for (i = 1; i <= n_points; i++) {
    const FbPoint *p = &test_styles.astronaut.landmarks.points[(i - 1) % FB_N_LANDMARKS];
    if (i == bad_line)
      g_string_append (text, "203.5 nose\n");
    else
      g_string_append_printf (text, "%.2f %.2f\n", p->x, p->y);
  }
  return g_string_free (text, FALSE);
}

GST_START_TEST (test_error_landmarks_count)
{
  gchar *text, *lm;
  GError *error;

  if (!have_face_data ())
    return;
  text = landmark_text (67, 0);
  lm = write_tmp_file ("short.lm.txt", text);
  error = start_error ("style", test_styles.plain, "style-landmarks", lm, NULL);
  assert_message (error, lm, "67");
  g_error_free (error);
  g_free (lm);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_error_landmarks_malformed)
{
  gchar *text, *lm;
  GError *error;

  if (!have_face_data ())
    return;
  text = landmark_text (68, 12);
  lm = write_tmp_file ("bad.lm.txt", text);
  error = start_error ("style", test_styles.plain, "style-landmarks", lm, NULL);
  assert_message (error, lm, "12");
  g_error_free (error);
  g_free (lm);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_error_model_missing)
{
  GError *error = start_error ("model", "/nonexistent/predictor.dat", NULL);

  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND), "%s", error->message);
  assert_message (error, "/nonexistent/predictor.dat", "libdlib-data");
  assert_message (error, "/nonexistent/predictor.dat", "model property");
  g_error_free (error);
}

GST_END_TEST;

/* Starts faceblit with backend=auto and returns the INFO it posts about where it
 * stylizes, with its debug text in *debug. */
static GError *
start_info (gchar ** debug)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *info = NULL;

  gst_element_set_bus (element, bus);
  fail_unless (gst_element_set_state (element, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (element, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_INFO);
  fail_unless (msg != NULL, "no INFO message says where faceblit stylizes");
  gst_message_parse_info (msg, &info, debug);
  gst_message_unref (msg);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
  return info;
}

/* Whether this machine's GPU runs the CUDA backend (backend=auto took it). */
static gboolean
have_gpu (void)
{
  gchar *debug = NULL;
  GError *info = start_info (&debug);
  gboolean gpu = strstr (info->message, "CUDA") != NULL;

  g_error_free (info);
  g_free (debug);
  return gpu;
}

/* Without a GPU (no driver, no device, or a build without CUDA), backend=auto says it
 * runs on the CPU, and why not on the GPU. */
GST_START_TEST (test_backend_auto_says_where)
{
  gchar *debug = NULL;
  GError *info;

  if (!have_face_data ())
    return;
  info = start_info (&debug);
  GST_INFO ("%s (%s)", info->message, debug);
  fail_unless (g_str_has_prefix (info->message, "Stylizing on "), "%s", info->message);
  if (strstr (info->message, "CPU"))
    fail_unless (debug && strstr (debug, "CUDA"), "no reason given: %s", debug);
  g_error_free (info);
  g_free (debug);
}

GST_END_TEST;

/* gst-inspect shows both memory kinds on both pads in a build with the CUDA backend:
 * frames in CUDA memory stay on the GPU. */
GST_START_TEST (test_memory_kinds)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  const gchar *pads[] = { "sink", "src" };
  guint p, i;

  for (p = 0; p < G_N_ELEMENTS (pads); p++) {
    GstPad *pad = gst_element_get_static_pad (element, pads[p]);
    GstCaps *caps = gst_pad_get_pad_template_caps (pad);
    gboolean system = FALSE, cuda = FALSE;
    for (i = 0; i < gst_caps_get_size (caps); i++) {
      GstCapsFeatures *features = gst_caps_get_features (caps, i);
      if (gst_caps_features_contains (features, "memory:CUDAMemory"))
        cuda = TRUE;
      else if (gst_caps_features_contains (features, GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY))
        system = TRUE;
    }
    fail_unless (system, "%s pad offers no system memory", pads[p]);
#ifdef FB_HAVE_CUDA
    fail_unless (cuda, "%s pad offers no CUDA memory", pads[p]);
#else
    fail_if (cuda, "%s pad offers CUDA memory without a CUDA backend", pads[p]);
#endif
    gst_caps_unref (caps);
    gst_object_unref (pad);
  }
  gst_object_unref (element);
}

GST_END_TEST;

GST_START_TEST (test_error_cuda_unavailable)
{
  GError *error;

  if (have_face_data () && have_gpu ()) {
    GST_INFO ("skipped: this machine's GPU runs the CUDA backend");
    return;
  }
  error = start_error ("backend", 2, NULL);

  fail_unless (strstr (error->message, "CUDA") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "backend") != NULL, "%s", error->message);
  g_error_free (error);
}

GST_END_TEST;

static Suite *
faceblit_suite (void)
{
  Suite *s = suite_create ("faceblit");
  TCase *props = tcase_create ("properties");
  TCase *frames = tcase_create ("frames");
  TCase *stream = tcase_create ("stream");
  TCase *errors = tcase_create ("errors");

  suite_add_tcase (s, props);
  tcase_add_test (props, test_property_defaults_and_flags);
  tcase_add_test (props, test_voting_choices);

  suite_add_tcase (s, frames);
  tcase_add_test (frames, test_every_format_at_odd_size);
  tcase_add_test (frames, test_no_face_is_bit_exact);
  tcase_add_test (frames, test_face_meta);
  tcase_add_test (frames, test_face_made_of_exemplar_pixels);
  tcase_add_test (frames, test_default_style_from_data_dir);
  tcase_add_test (frames, test_landmarks_beside_exemplar);

  suite_add_tcase (s, stream);
  tcase_add_test (stream, test_style_switch_while_playing);
  tcase_add_test (stream, test_jump_without_reset);
  tcase_add_test (stream, test_flush_resets);
  tcase_add_test (stream, test_seek_resets);
  tcase_add_test (stream, test_discont_resets);
  tcase_add_test (stream, test_caps_change_resets);
  tcase_add_test (stream, test_still_face_does_not_flicker);
  tcase_add_test (stream, test_moving_face);
  tcase_add_test (stream, test_render_properties_apply_at_next_frame);
  tcase_add_test (stream, test_strength_animated);
  tcase_add_test (stream, test_lighting);
  tcase_add_test (stream, test_max_faces_while_playing);
  tcase_add_test (stream, test_damaged_cache_entry_warns);

  suite_add_tcase (s, errors);
  tcase_add_test (errors, test_error_style_missing);
  tcase_add_test (errors, test_error_style_not_an_image);
  tcase_add_test (errors, test_error_style_without_face);
  tcase_add_test (errors, test_error_landmarks_count);
  tcase_add_test (errors, test_error_landmarks_malformed);
  tcase_add_test (errors, test_error_model_missing);
  tcase_add_test (errors, test_error_cuda_unavailable);
  tcase_add_test (errors, test_backend_auto_says_where);
  tcase_add_test (errors, test_memory_kinds);
  return s;
}

int
main (int argc, char **argv)
{
  int failed;

  if (!fb_test_program_init (&argc, &argv, "faceblit-test-XXXXXX", &source_data_dir,
          &tmp_dir))
    return 1;
  fb_test_styles_prepare (&test_styles, tmp_dir);

  failed = gst_check_run_suite (faceblit_suite (), "faceblit", __FILE__);

  fb_test_styles_clear (&test_styles);
  fb_test_program_finish (source_data_dir, tmp_dir);
  return failed;
}
