/* faceblit — the element in a GstHarness, and the faces and frames the element tests
 * feed it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>

#include "fb-image-io.h"
#include "fb-style.h"
#include "fb-synth.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

gboolean
fb_test_program_init (int *argc, char ***argv, const gchar * tmp_template,
    gchar ** source_data_dir, gchar ** tmp_dir)
{
  gst_check_init (argc, argv);
  *source_data_dir = fb_test_source_data_path ("");
  g_setenv ("FACEBLIT_DATA_DIR", *source_data_dir, TRUE);
  if (!tmp_template)
    return TRUE;
  *tmp_dir = g_dir_make_tmp (tmp_template, NULL);
  return *tmp_dir != NULL;
}

void
fb_test_program_finish (gchar * source_data_dir, gchar * tmp_dir)
{
  if (tmp_dir)
    fb_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (source_data_dir);
}

GstHarness *
fb_test_harness_new_valist (const gchar * first_property, va_list args)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;

  fail_unless (element != NULL);
  if (first_property)
    g_object_set_valist (G_OBJECT (element), first_property, args);
  gst_element_set_bus (element, bus);
  gst_object_unref (bus);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_object_unref (element);
  return h;
}

void
fb_test_assert_bus_quiet (GstBus * bus)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
  GError *error = NULL;
  gchar *debug = NULL;

  if (!msg)
    return;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &error, &debug);
  else
    gst_message_parse_warning (msg, &error, &debug);
  fail ("unexpected %s from %s: %s (%s)", GST_MESSAGE_TYPE_NAME (msg),
      GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), error->message, debug);
}

void
fb_test_video_info_init (GstVideoInfo * info, GstVideoFormat format, int width,
    int height)
{
  gst_video_info_set_format (info, format, width, height);
  GST_VIDEO_INFO_FPS_N (info) = GST_SECOND / FB_TEST_FRAME_DURATION;
  GST_VIDEO_INFO_FPS_D (info) = 1;
}

void
fb_test_run_set_caps (FbTestRun * run, GstVideoFormat format, int width, int height)
{
  fb_test_video_info_init (&run->info, format, width, height);
  gst_harness_set_src_caps (run->h, gst_video_info_to_caps (&run->info));
}

void
fb_test_run_start (FbTestRun * run, GstVideoFormat format, int width, int height,
    const gchar * first_property, ...)
{
  va_list args;

  va_start (args, first_property);
  run->h = fb_test_harness_new_valist (first_property, args);
  va_end (args);
  run->n_pushed = 0;
  fb_test_run_set_caps (run, format, width, height);
}

void
fb_test_run_assert_quiet (FbTestRun * run)
{
  GstBus *bus = gst_element_get_bus (run->h->element);

  fb_test_assert_bus_quiet (bus);
  gst_object_unref (bus);
}

void
fb_test_run_stop (FbTestRun * run)
{
  fb_test_run_assert_quiet (run);
  gst_harness_teardown (run->h);
}

GstBuffer *
fb_test_run_push_full (FbTestRun * run, const FbImage * rgb, gboolean discont,
    GstBuffer ** input)
{
  GstBuffer *buffer = fb_test_buffer_from_rgb (rgb, &run->info);
  GstBuffer *out;

  if (discont)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
  GST_BUFFER_PTS (buffer) = run->n_pushed * FB_TEST_FRAME_DURATION;
  GST_BUFFER_DURATION (buffer) = FB_TEST_FRAME_DURATION;
  run->n_pushed++;
  if (input)
    *input = gst_buffer_copy_deep (buffer);
  out = gst_harness_push_and_pull (run->h, buffer);
  fail_unless (out != NULL);
  return out;
}

gboolean
fb_test_face_load (FbTestFace * face, const gchar * path, const FbShapeModel * model,
    GError ** error)
{
  face->image = fb_image_load (path, error);
  if (face->image && fb_style_detect_landmarks (face->image, model, &face->landmarks,
          error))
    return TRUE;
  g_clear_pointer (&face->image, fb_image_free);
  return FALSE;
}

void
fb_test_face_clear (FbTestFace * face)
{
  g_clear_pointer (&face->image, fb_image_free);
}

FbImage *
fb_test_render_face (const FbTestFace * face, FbTestPlacement p, int width, int height,
    FbLandmarks * lm)
{
  const FbImage *image = face->image;
  float x0, y0, x1, y1;
  float a = p.scale * cosf (p.angle), b = p.scale * sinf (p.angle);
  float dx, dy, cx, cy;

  fb_landmarks_bounds (&face->landmarks, &x0, &y0, &x1, &y1);
  dx = (x0 + x1) / 2 - image->width / 2.0f;
  dy = (y0 + y1) / 2 - image->height / 2.0f;
  /* image centre such that the landmarks' centre lands on (p.x, p.y) */
  cx = p.x - (a * dx - b * dy);
  cy = p.y - (b * dx + a * dy);
  if (lm) {
    FbSimilarity s = { a, b, cx - (a * image->width / 2.0f - b * image->height / 2.0f),
      cy - (b * image->width / 2.0f + a * image->height / 2.0f)
    };
    fb_landmarks_transform (&face->landmarks, s, lm);
  }
  return fb_synth_face_frame (image, width, height, 3, cx, cy, p.scale, p.angle);
}

FbImage *
fb_test_swap_red_blue (const FbImage * rgb)
{
  FbImage *swapped = fb_image_copy (rgb);
  int x, y;

  for (y = 0; y < swapped->height; y++) {
    guint8 *p = fb_image_row (swapped, y);
    for (x = 0; x < swapped->width; x++) {
      guint8 red = p[3 * x];
      p[3 * x] = p[3 * x + 2];
      p[3 * x + 2] = red;
    }
  }
  return swapped;
}

gboolean
fb_test_save_style (const FbImage * rgb, const FbLandmarks * lm, const gchar * dir,
    const gchar * name, gchar ** image, gchar ** landmarks, GError ** error)
{
  gchar *file = g_strconcat (name, ".png", NULL);

  *image = g_build_filename (dir, file, NULL);
  g_free (file);
  file = g_strconcat (name, ".lm.txt", NULL);
  *landmarks = g_build_filename (dir, file, NULL);
  g_free (file);
  return fb_image_save_png (rgb, *image, error)
      && fb_landmarks_save (*landmarks, lm, error);
}

gboolean
fb_test_styles_prepare (FbTestStyles * styles, const gchar * dir)
{
  g_autofree gchar *path = fb_test_astronaut_path ();
  const char *model_path = fb_test_model_path ();
  g_autoptr (FbImage) blue = NULL;
  FbShapeModel *model;
  GError *error = NULL;
  char *message = NULL;

  memset (styles, 0, sizeof (*styles));
  if (!path || !model_path) {
    g_print ("SKIP: the tests with faces need %s\n", path ? "dlib's model "
        "(libdlib-data)" : "the astronaut portrait (python3-skimage)");
    return FALSE;
  }
  if (!(model = fb_shape_model_load (model_path, &message))) {
    g_printerr ("cannot load dlib's model: %s\n", message);
    exit (1);
  }
  if (!fb_test_face_load (&styles->astronaut, path, model, &error)) {
    g_printerr ("cannot prepare the astronaut: %s\n", error->message);
    exit (1);
  }
  fb_shape_model_free (model);
  blue = fb_test_swap_red_blue (styles->astronaut.image);
  if (!fb_test_save_style (styles->astronaut.image, &styles->astronaut.landmarks, dir,
          "plain", &styles->plain, &styles->plain_lm, &error)
      || !fb_test_save_style (blue, &styles->astronaut.landmarks, dir, "blue",
          &styles->blue, &styles->blue_lm, &error)) {
    g_printerr ("cannot write the test exemplars: %s\n", error->message);
    exit (1);
  }
  return TRUE;
}

void
fb_test_styles_clear (FbTestStyles * styles)
{
  fb_test_face_clear (&styles->astronaut);
  g_free (styles->plain);
  g_free (styles->plain_lm);
  g_free (styles->blue);
  g_free (styles->blue_lm);
}

FbRect
fb_test_inner_face (const FbLandmarks * lm)
{
  FbPoint r = fb_landmarks_right_eye_centre (lm);
  FbPoint l = fb_landmarks_left_eye_centre (lm);
  FbRect rect;

  rect.x = (int) ceilf (MIN (r.x, l.x));
  rect.y = (int) ceilf (MAX (r.y, l.y));
  rect.width = (int) floorf (MAX (r.x, l.x)) - rect.x;
  rect.height = (int) floorf (lm->points[51].y) - rect.y;
  return rect;
}

double
fb_test_mean_abs_diff (const FbImage * a, const FbImage * b, FbRect r)
{
  double sum = 0;
  int x, y;

  for (y = r.y; y < r.y + r.height; y++) {
    const guint8 *pa = fb_image_row (a, y) + r.x * 3;
    const guint8 *pb = fb_image_row (b, y) + r.x * 3;
    for (x = 0; x < r.width * 3; x++)
      sum += abs (pa[x] - pb[x]);
  }
  return sum / (r.width * r.height * 3);
}

double
fb_test_mean_red_minus_blue (const FbImage * img, FbRect r)
{
  double sum = 0;
  int x, y;

  for (y = r.y; y < r.y + r.height; y++) {
    const guint8 *p = fb_image_row (img, y) + r.x * 3;
    for (x = 0; x < r.width; x++)
      sum += p[3 * x] - p[3 * x + 2];
  }
  return sum / (r.width * r.height);
}

GstBuffer *
fb_test_buffer_from_rgb (const FbImage * rgb, const GstVideoInfo * info)
{
  GstVideoInfo rgb_info;
  GstVideoFrame in, out;
  GstBuffer *in_buf, *out_buf;
  GstVideoConverter *converter;
  int y;

  gst_video_info_set_format (&rgb_info, GST_VIDEO_FORMAT_RGB, rgb->width, rgb->height);
  GST_VIDEO_INFO_FPS_N (&rgb_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&rgb_info) = GST_VIDEO_INFO_FPS_D (info);
  in_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgb_info), NULL);
  out_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  g_assert (gst_video_frame_map (&in, &rgb_info, in_buf, GST_MAP_WRITE));
  for (y = 0; y < rgb->height; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&in, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&in, 0), fb_image_row (rgb, y),
        rgb->width * 3);
  g_assert (gst_video_frame_map (&out, (GstVideoInfo *) info, out_buf,
          GST_MAP_WRITE));
  converter = gst_video_converter_new (&rgb_info, (GstVideoInfo *) info, NULL);
  gst_video_converter_frame (converter, &in, &out);
  gst_video_converter_free (converter);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  gst_buffer_unref (in_buf);
  return out_buf;
}

FbImage *
fb_test_buffer_to_rgb (GstBuffer * buffer, const GstVideoInfo * info)
{
  GstVideoInfo rgb_info;
  GstVideoFrame in, out;
  GstBuffer *out_buf;
  GstVideoConverter *converter;
  FbImage *rgb = fb_image_new (GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), 3);
  int y;

  gst_video_info_set_format (&rgb_info, GST_VIDEO_FORMAT_RGB, rgb->width, rgb->height);
  GST_VIDEO_INFO_FPS_N (&rgb_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&rgb_info) = GST_VIDEO_INFO_FPS_D (info);
  out_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgb_info), NULL);
  g_assert (gst_video_frame_map (&in, (GstVideoInfo *) info, buffer, GST_MAP_READ));
  g_assert (gst_video_frame_map (&out, &rgb_info, out_buf, GST_MAP_WRITE));
  converter = gst_video_converter_new ((GstVideoInfo *) info, &rgb_info, NULL);
  gst_video_converter_frame (converter, &in, &out);
  gst_video_converter_free (converter);
  for (y = 0; y < rgb->height; y++)
    memcpy (fb_image_row (rgb, y), (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&out, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&out, 0), rgb->width * 3);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  gst_buffer_unref (out_buf);
  return rgb;
}

guint
fb_test_count_faces (GstBuffer * buffer)
{
  GstVideoRegionOfInterestMeta *meta;
  gpointer state = NULL;
  guint n = 0;

  while ((meta = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
    n += meta->roi_type == g_quark_from_string ("face");
  return n;
}
