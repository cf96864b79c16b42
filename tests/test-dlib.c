/* Tests of the dlib shim: face detection and the 68-point fit on the astronaut.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "fb-dlib.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-synth.h"
#include "fb-test-helpers.h"

static const FbShapeModel *model;
static FbImage *astronaut_grey;

/* The model and the astronaut's grey image; FALSE (and the test skipped) without them. */
static gboolean
load_data (void)
{
  const FbImage *astronaut;

  if (!fb_test_face_data (&model, &astronaut))
    return FALSE;
  if (!astronaut_grey) {
    astronaut_grey = fb_image_new (astronaut->width, astronaut->height, 1);
    fb_image_rgb_to_luma (astronaut, astronaut_grey);
  }
  return TRUE;
}

static FbPoint
mean_point (const FbLandmarks * lm, int first, int last)
{
  FbPoint m = { 0, 0 };
  int i;

  for (i = first; i <= last; i++) {
    m.x += lm->points[i].x;
    m.y += lm->points[i].y;
  }
  m.x /= last - first + 1;
  m.y /= last - first + 1;
  return m;
}

static FbRect
detect_astronaut_face (void)
{
  FbFaceDetector *detector = fb_face_detector_new (NULL);
  FbDetection found[8];
  int n, i, confident = 0;

  g_assert_nonnull (detector);
  n = fb_face_detector_run (detector, astronaut_grey->data, astronaut_grey->width,
      astronaut_grey->height, astronaut_grey->stride, found, G_N_ELEMENTS (found));
  fb_face_detector_free (detector);
  g_assert_cmpint (n, >=, 1);
  for (i = 0; i < n; i++) {
    if (i > 0)
      g_assert_cmpfloat (found[i].score, <=, found[i - 1].score);
    if (found[i].score >= FB_FACE_DETECTION_CONFIDENT_SCORE)
      confident++;
  }
  /* the round mission patch on the suit is a weak detection; only the face is sure */
  g_assert_cmpint (confident, ==, 1);
  /* the face: about 90 px wide, centred near (225, 125) */
  g_assert_cmpint (found[0].box.width, >, 60);
  g_assert_cmpint (found[0].box.width, <, 130);
  g_assert_cmpint (abs (found[0].box.x + found[0].box.width / 2 - 225), <, 25);
  g_assert_cmpint (abs (found[0].box.y + found[0].box.height / 2 - 125), <, 25);
  return found[0].box;
}

static void
test_astronaut_landmarks (void)
{
  FbLandmarks lm;
  FbPoint right_eye, left_eye, nose_tip, mouth;
  float width, x0, y0, x1, y1;
  gboolean fractional = FALSE;
  FbRect box;
  int i;

  if (!load_data ())
    return;
  box = detect_astronaut_face ();
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
          astronaut_grey->height, astronaut_grey->stride, box, lm.points), ==, 0);

  right_eye = mean_point (&lm, 36, 41);
  left_eye = mean_point (&lm, 42, 47);
  nose_tip = lm.points[30];
  mouth = mean_point (&lm, 48, 59);
  /* the subject's right eye is on the image's left; eyes above nose above mouth */
  g_assert_cmpfloat (right_eye.x + 20, <, left_eye.x);
  g_assert_cmpfloat (fabsf (right_eye.y - left_eye.y), <, 10);
  g_assert_cmpfloat (right_eye.y + 10, <, nose_tip.y);
  g_assert_cmpfloat (nose_tip.y + 5, <, mouth.y);
  g_assert_cmpfloat (mouth.y + 10, <, lm.points[8].y);  /* chin */
  g_assert_cmpfloat (nose_tip.x, >, right_eye.x);
  g_assert_cmpfloat (nose_tip.x, <, left_eye.x);
  width = fb_landmarks_face_width (&lm);
  g_assert_cmpfloat (width, >, 70);
  g_assert_cmpfloat (width, <, 120);
  fb_landmarks_bounds (&lm, &x0, &y0, &x1, &y1);
  g_assert_cmpfloat (x0, >, box.x - box.width / 2);
  g_assert_cmpfloat (x1, <, box.x + box.width * 3 / 2);
  g_assert_cmpfloat (y0, >, box.y - box.height / 2);
  g_assert_cmpfloat (y1, <, box.y + box.height * 3 / 2);
  /* the shim keeps dlib's sub-pixel precision */
  for (i = 0; i < FB_N_LANDMARKS; i++)
    fractional |= fabsf (lm.points[i].x - roundf (lm.points[i].x)) > 0.05f;
  g_assert_true (fractional);
}

static void
test_fit_is_stable_under_box_shifts (void)
{
  FbLandmarks reference, shifted, refit;
  FbRect box, derived;
  float total = 0;
  int dx, dy;

  if (!load_data ())
    return;
  box = detect_astronaut_face ();
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
          astronaut_grey->height, astronaut_grey->stride, box, reference.points), ==, 0);

  /* the cascade corrects a box that is off by several pixels (~10 % of its size) */
  for (dy = -8; dy <= 8; dy += 8)
    for (dx = -8; dx <= 8; dx += 8) {
      FbRect moved = { box.x + dx, box.y + dy, box.width, box.height };
      float distance;
      g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data,
              astronaut_grey->width, astronaut_grey->height, astronaut_grey->stride, moved,
              shifted.points), ==, 0);
      distance = fb_test_landmarks_distance (&reference, &shifted);
      g_assert_cmpfloat (distance, <, 4.0f);
      total += distance;
    }
  g_assert_cmpfloat (total / 9, <, 1.5f);

  /* the box derived from landmarks is where the detector would put it, and a fit in
   * it reproduces them */
  g_assert_cmpint (fb_shape_model_box_for_points (model, reference.points, &derived), ==,
      0);
  g_assert_cmpint (abs (derived.width - box.width), <, box.width / 5);
  g_assert_cmpint (abs (derived.x - box.x), <, box.width / 5);
  g_assert_cmpint (abs (derived.y - box.y), <, box.width / 5);
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
          astronaut_grey->height, astronaut_grey->stride, derived, refit.points), ==, 0);
  g_assert_cmpfloat (fb_test_landmarks_distance (&reference, &refit), <, 1.5f);
}

/* The cascade follows the face's rotation: the landmarks of a rotated astronaut are
 * the rotated landmarks of the upright one. */
static void
test_rotated_face (void)
{
  const float angle = 0.35f;
  FbLandmarks upright, rotated, expected;
  FbSimilarity rotation = { cosf (angle), sinf (angle), 0, 0 };
  g_autoptr (FbImage) rgb = NULL;
  g_autoptr (FbImage) turned = NULL;
  g_autoptr (FbImage) turned_grey = fb_image_new (512, 512, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *astronaut_path = NULL;
  FbRect box;
  int i;

  if (!load_data ())
    return;
  box = detect_astronaut_face ();
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
          astronaut_grey->height, astronaut_grey->stride, box, upright.points), ==, 0);

  astronaut_path = fb_test_astronaut_path ();
  rgb = fb_image_load (astronaut_path, &error);
  g_assert_no_error (error);
  turned = fb_synth_face_frame (rgb, 512, 512, 3, 256, 256, 1.0f, angle);
  fb_image_rgb_to_luma (turned, turned_grey);
  /* about the image centre, as fb_synth_face_frame turns it */
  rotation.tx = 256 - (rotation.a * 256 - rotation.b * 256);
  rotation.ty = 256 - (rotation.b * 256 + rotation.a * 256);
  for (i = 0; i < FB_N_LANDMARKS; i++)
    expected.points[i] = fb_similarity_apply (rotation, upright.points[i]);
  g_assert_cmpint (fb_shape_model_box_for_points (model, expected.points, &box), ==, 0);
  g_assert_cmpint (fb_shape_model_fit (model, turned_grey->data, 512, 512,
          turned_grey->stride, box, rotated.points), ==, 0);
  g_test_message ("20 degrees: %.2f px from the rotated upright landmarks",
      fb_test_landmarks_distance (&rotated, &expected));
  g_assert_cmpfloat (fb_test_landmarks_distance (&rotated, &expected), <, 1.2f);
}

/* The fit evaluates dlib's cascade in its own layout and order: its results must not
 * drift when that code is made faster. These are the points it gave when it still
 * walked dlib's own regression_tree objects (as dlib::shape_predictor does), for a
 * fixed box on the astronaut's green channel (no colour conversion involved). */
static void
test_fit_matches_reference (void)
{
  static const FbPoint reference[FB_N_LANDMARKS] = {
    {179.387, 103.686}, {179.674, 115.044}, {180.671, 126.276}, {181.576, 137.727},
    {184.488, 149.108}, {190.708, 159.226}, {199.279, 167.684}, {208.703, 175.175},
    {219.976, 178.114}, {231.979, 176.775}, {242.837, 170.965}, {252.633, 163.393},
    {260.026, 153.972}, {264.775, 142.999}, {267.776, 131.304}, {270.139, 119.779},
    {271.676, 107.750}, {186.276, 93.537}, {192.143, 88.084}, {200.400, 87.054},
    {208.592, 88.747}, {216.358, 92.057}, {236.104, 93.394}, {244.128, 91.001},
    {252.264, 90.672}, {260.200, 92.529}, {265.212, 98.687}, {225.765, 102.072},
    {225.566, 110.568}, {225.395, 118.773}, {225.167, 127.285}, {214.205, 130.699},
    {219.156, 132.345}, {224.181, 134.266}, {229.482, 132.896}, {234.368, 131.714},
    {194.866, 100.892}, {200.346, 97.707}, {206.826, 98.374}, {212.410, 103.517},
    {206.092, 104.000}, {199.651, 103.547}, {237.515, 105.078}, {243.534, 100.552},
    {249.962, 100.661}, {255.456, 104.348}, {250.098, 106.515}, {243.619, 106.295},
    {200.858, 139.528}, {209.278, 139.050}, {217.753, 139.339}, {223.497, 140.589},
    {229.595, 139.730}, {237.347, 140.090}, {245.465, 141.154}, {237.398, 150.992},
    {229.023, 154.904}, {222.398, 155.440}, {216.213, 154.387}, {207.999, 149.607},
    {203.581, 140.705}, {217.377, 143.042}, {223.206, 144.070}, {229.336, 143.466},
    {242.436, 142.117}, {229.168, 149.677}, {222.822, 150.159}, {216.826, 149.165},
  };
  const FbRect box = { 179, 83, 88, 88 };
  const FbImage *astronaut;
  g_autoptr (FbImage) green = NULL;
  FbLandmarks lm;
  int x, y, i;

  if (!fb_test_face_data (&model, &astronaut))
    return;
  green = fb_image_new (astronaut->width, astronaut->height, 1);
  for (y = 0; y < astronaut->height; y++)
    for (x = 0; x < astronaut->width; x++)
      green->data[(size_t) y * green->stride + x] =
          astronaut->data[(size_t) y * astronaut->stride + x * astronaut->channels + 1];
  g_assert_cmpint (fb_shape_model_fit (model, green->data, green->width, green->height,
          green->stride, box, lm.points), ==, 0);
  /* printed with 3 decimals */
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    g_assert_cmpfloat_with_epsilon (lm.points[i].x, reference[i].x, 0.001);
    g_assert_cmpfloat_with_epsilon (lm.points[i].y, reference[i].y, 0.001);
  }
}

static void
test_boxes_outside_the_image (void)
{
  FbLandmarks lm;
  FbRect partly = { -60, -40, 150, 150 };
  FbRect outside = { 5000, -9000, 100, 100 };
  FbRect huge = { -100000, -100000, 400000, 400000 };
  FbRect tiny = { 10, 10, 1, 1 };
  FbPoint degenerate[FB_N_LANDMARKS] = { {0, 0} };
  FbRect derived;
  int i, r;

  if (!load_data ())
    return;
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
          astronaut_grey->height, astronaut_grey->stride, partly, lm.points), ==, 0);
  for (i = 0; i < FB_N_LANDMARKS; i++)
    g_assert_true (isfinite (lm.points[i].x) && isfinite (lm.points[i].y));
  r = fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
      astronaut_grey->height, astronaut_grey->stride, outside, lm.points);
  g_assert_cmpint (r, ==, 0);
  r = fb_shape_model_fit (model, astronaut_grey->data, astronaut_grey->width,
      astronaut_grey->height, astronaut_grey->stride, huge, lm.points);
  g_assert_cmpint (r, ==, 0);
  g_assert_cmpint (fb_shape_model_fit (model, astronaut_grey->data,
          astronaut_grey->width, astronaut_grey->height, astronaut_grey->stride, tiny,
          lm.points), ==, -1);
  g_assert_cmpint (fb_shape_model_box_for_points (model, degenerate, &derived), ==, -1);
  degenerate[3].x = NAN;
  g_assert_cmpint (fb_shape_model_box_for_points (model, degenerate, &derived), ==, -1);
}

static void
test_detector_on_small_and_blank_images (void)
{
  FbFaceDetector *detector = fb_face_detector_new (NULL);
  g_autoptr (FbImage) blank = fb_image_new (320, 240, 1);
  g_autoptr (FbImage) tiny = fb_image_new (7, 5, 1);
  FbDetection found[4];

  g_assert_nonnull (detector);
  memset (blank->data, 110, (size_t) blank->stride * blank->height);
  g_assert_cmpint (fb_face_detector_run (detector, blank->data, blank->width,
          blank->height, blank->stride, found, 4), ==, 0);
  g_assert_cmpint (fb_face_detector_run (detector, tiny->data, tiny->width, tiny->height,
          tiny->stride, found, 4), ==, 0);
  g_assert_cmpint (fb_face_detector_run (detector, blank->data, blank->width,
          blank->height, blank->width - 1, found, 4), ==, -1);
  fb_face_detector_free (detector);
}

static void
test_model_missing (void)
{
  const char *path = "/nonexistent/faceblit/shape_predictor_68_face_landmarks.dat";
  char *message = NULL;

  g_assert_null (fb_shape_model_load (path, &message));
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, path));
  g_assert_nonnull (strstr (message, "install the Debian package libdlib-data"));
  g_assert_nonnull (strstr (message, "set the model property"));
  free (message);
}

static void
test_model_not_a_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  char *message = NULL;
  int fd = g_file_open_tmp ("faceblit-not-a-model-XXXXXX.dat", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "this is not dlib's model\n", -1, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_null (fb_shape_model_load (path, &message));
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, path));
  g_assert_nonnull (strstr (message, "model property"));
  free (message);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dlib/astronaut-landmarks", test_astronaut_landmarks);
  g_test_add_func ("/dlib/fit-stable-under-box-shifts", test_fit_is_stable_under_box_shifts);
  g_test_add_func ("/dlib/rotated-face", test_rotated_face);
  g_test_add_func ("/dlib/fit-matches-reference", test_fit_matches_reference);
  g_test_add_func ("/dlib/boxes-outside-the-image", test_boxes_outside_the_image);
  g_test_add_func ("/dlib/detector-small-and-blank", test_detector_on_small_and_blank_images);
  g_test_add_func ("/dlib/model-missing", test_model_missing);
  g_test_add_func ("/dlib/model-not-a-model", test_model_not_a_model);
  result = g_test_run ();
  fb_image_free (astronaut_grey);
  return result;
}
