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

/* The astronaut's green channel (no colour conversion involved), enlarged `zoom` times
 * by repeating pixels, fitted in the box around its face (enlarged alike). */
static void
fit_green_astronaut (int zoom, FbLandmarks * lm)
{
  const FbRect box = { 179 * zoom, 83 * zoom, 88 * zoom, 88 * zoom };
  const FbImage *astronaut;
  g_autoptr (FbImage) green = NULL;
  int x, y;

  g_assert_true (fb_test_face_data (&model, &astronaut));
  green = fb_image_new (astronaut->width * zoom, astronaut->height * zoom, 1);
  for (y = 0; y < green->height; y++)
    for (x = 0; x < green->width; x++)
      green->data[(size_t) y * green->stride + x] =
          astronaut->data[(size_t) (y / zoom) * astronaut->stride
          + (x / zoom) * astronaut->channels + 1];
  g_assert_cmpint (fb_shape_model_fit (model, green->data, green->width, green->height,
          green->stride, box, lm->points), ==, 0);
}

/* The fit evaluates dlib's cascade in its own layout, with its leaves in 16 bits: its
 * results must stay dlib's. These are the points that dlib's float model gives
 * (summed as dlib::shape_predictor does, before it rounds them) for
 * fit_green_astronaut at the picture's size and 3 times as large. These walks take
 * the same branches as with floats, and the 16-bit leaves move landmarks by 0.0003 and
 * 0.0009 px. FIT_TOLERANCE fails leaves quantised 4 times coarser or with one scale
 * per tree, scales off by 0.01 %, values truncated instead of rounded, and leaves read
 * from the wrong place. The cascade is not continuous: changes as small as these can
 * send a walk down another branch (landmarks then jump by ~0.5 px, as they do on some
 * faces when dlib's floats are summed in double), so the points also pin this build's
 * float arithmetic, as dlib's exact sums did before. */
#define FIT_TOLERANCE 0.002

static void
test_fit_matches_reference (void)
{
  static const FbPoint reference[FB_N_LANDMARKS] = {
    {179.38708, 103.68625}, {179.67355, 115.04372}, {180.67062, 126.27631},
    {181.57579, 137.72725}, {184.48825, 149.10838}, {190.70822, 159.22639},
    {199.27907, 167.68393}, {208.70258, 175.17480}, {219.97556, 178.11353},
    {231.97937, 176.77455}, {242.83650, 170.96472}, {252.63260, 163.39299},
    {260.02606, 153.97171}, {264.77466, 142.99887}, {267.77637, 131.30432},
    {270.13855, 119.77933}, {271.67615, 107.74957}, {186.27617, 93.53699},
    {192.14261, 88.08371}, {200.40041, 87.05418}, {208.59160, 88.74667},
    {216.35837, 92.05740}, {236.10390, 93.39436}, {244.12759, 91.00058},
    {252.26419, 90.67202}, {260.19968, 92.52878}, {265.21185, 98.68671},
    {225.76521, 102.07243}, {225.56621, 110.56761}, {225.39516, 118.77278},
    {225.16675, 127.28510}, {214.20464, 130.69862}, {219.15614, 132.34482},
    {224.18076, 134.26622}, {229.48238, 132.89575}, {234.36812, 131.71365},
    {194.86598, 100.89177}, {200.34563, 97.70691}, {206.82605, 98.37402},
    {212.41011, 103.51664}, {206.09200, 104.00018}, {199.65129, 103.54681},
    {237.51500, 105.07838}, {243.53406, 100.55225}, {249.96153, 100.66060},
    {255.45583, 104.34842}, {250.09796, 106.51543}, {243.61946, 106.29524},
    {200.85808, 139.52849}, {209.27834, 139.04999}, {217.75317, 139.33902},
    {223.49739, 140.58896}, {229.59456, 139.73010}, {237.34688, 140.09004},
    {245.46455, 141.15375}, {237.39755, 150.99161}, {229.02316, 154.90350},
    {222.39767, 155.44012}, {216.21324, 154.38652}, {207.99883, 149.60658},
    {203.58144, 140.70512}, {217.37672, 143.04152}, {223.20583, 144.06964},
    {229.33643, 143.46614}, {242.43588, 142.11667}, {229.16754, 149.67729},
    {222.82193, 150.15932}, {216.82565, 149.16507},
  };
  static const FbPoint reference_zoomed[FB_N_LANDMARKS] = {
    {539.66119, 312.71283}, {540.29199, 347.58871}, {542.78473, 381.45374},
    {545.34302, 416.33588}, {554.08820, 451.08264}, {572.79333, 481.51376},
    {598.90552, 506.32379}, {626.95160, 528.14899}, {660.91730, 536.21881},
    {697.05060, 531.67798}, {730.28918, 513.78363}, {760.44446, 491.15967},
    {782.07928, 462.32623}, {795.24677, 429.41965}, {803.69806, 394.76013},
    {811.11456, 361.36478}, {816.25189, 325.61841}, {561.46240, 280.66229},
    {578.99677, 264.83047}, {602.40656, 261.57568}, {625.71704, 266.48422},
    {647.33221, 277.24332}, {710.84930, 280.69284}, {733.76849, 273.39496},
    {757.54144, 272.95026}, {780.93073, 278.61908}, {796.35718, 296.61206},
    {677.84119, 307.81415}, {677.09357, 332.92996}, {676.41504, 357.29111},
    {675.79443, 382.39713}, {643.42200, 393.70996}, {657.84558, 398.28333},
    {672.70905, 404.17944}, {688.41901, 400.29236}, {702.81903, 396.96356},
    {586.33453, 303.91348}, {602.46570, 294.07806}, {621.59625, 296.16754},
    {637.70264, 311.64655}, {619.44977, 312.97638}, {600.22778, 311.85010},
    {713.43628, 316.31036}, {731.17157, 302.63525}, {750.27472, 302.97693},
    {766.21429, 314.06076}, {750.43671, 320.27237}, {731.28937, 319.45963},
    {602.51324, 419.63013}, {627.25610, 417.73352}, {652.28766, 418.94827},
    {670.66333, 423.01956}, {690.03723, 420.14017}, {713.17993, 420.83807},
    {737.86121, 423.92288}, {713.59723, 453.43881}, {688.54749, 466.11237},
    {667.69702, 468.17032}, {647.91492, 464.86984}, {623.31171, 450.11694},
    {610.86328, 423.07925}, {651.28552, 429.98441}, {669.85895, 433.33517},
    {689.27307, 431.09836}, {728.83344, 427.04453}, {689.12360, 450.41864},
    {668.94293, 452.59348}, {649.76660, 449.22229},
  };
  const FbImage *astronaut;
  FbLandmarks lm, zoomed;
  int i;

  if (!fb_test_face_data (&model, &astronaut))
    return;
  fit_green_astronaut (1, &lm);
  fit_green_astronaut (3, &zoomed);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    g_assert_cmpfloat_with_epsilon (lm.points[i].x, reference[i].x, FIT_TOLERANCE);
    g_assert_cmpfloat_with_epsilon (lm.points[i].y, reference[i].y, FIT_TOLERANCE);
    g_assert_cmpfloat_with_epsilon (zoomed.points[i].x, reference_zoomed[i].x,
        FIT_TOLERANCE);
    g_assert_cmpfloat_with_epsilon (zoomed.points[i].y, reference_zoomed[i].y,
        FIT_TOLERANCE);
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

/* Writes bytes to a temporary model file; returns its path (g_free, then unlink). */
static char *
write_model_file (const guint8 * bytes, gsize size)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("faceblit-model-XXXXXX.dat", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, (const char *) bytes, size, &error));
  g_assert_no_error (error);
  close (fd);
  return path;
}

/* Found by fuzz-model: dlib sizes a vector or a matrix from the count in the file
 * before reading it, so a few bytes made the loader allocate and fill gigabytes. Now
 * every count is checked against the file's size first. In dlib's format an integer is
 * a byte holding its length (1 to 8; 0x80: negative) and then its little-endian bytes;
 * a float is two integers, mantissa and exponent. */
static void
test_model_counts_beyond_the_file (void)
{
  /* version 1, then a mean shape of -(2^32) x -1 values */
  static const guint8 huge_matrix[] = { 0x01, 0x01, 0x85, 0, 0, 0, 0, 0x01, 0x81, 0x01 };
  /* version 1, a mean shape of 136 zeros, one cascade of one tree of 2^26 splits */
  guint8 huge_vector[2 + 4 + 4 * 136 + 2 + 2 + 5] = { 0x01, 0x01, 0x81, 0x88, 0x81, 0x01 };
  const guint8 tail[] = { 0x01, 0x01, 0x01, 0x01, 0x04, 0, 0, 0, 0x04 };
  /* Also found by fuzz-model: dlib negates a magnitude in its signed type, which
   * overflows for the most negative value (undefined behaviour, seen by UBSan). */
  static const guint8 int_min_version[] = { 0x84, 0, 0, 0, 0x80 };
  static const guint8 long_min_rows[] = { 0x01, 0x01, 0x88, 0, 0, 0, 0, 0, 0, 0, 0x80,
    0x81, 0x01
  };
  /* version 1, a column of 136, then a first value whose mantissa is -(2^63) */
  static const guint8 int64_min_mantissa[] = { 0x01, 0x01, 0x81, 0x88, 0x81, 0x01,
    0x88, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0x00
  };
  static const guint8 version_beyond_int[] = { 0x84, 0xff, 0xff, 0xff, 0xff };
  struct {
    const guint8 *bytes;
    gsize size;
    const char *says;
  } cases[] = {
    { huge_matrix, sizeof huge_matrix, "a matrix of -4294967296x-1 values" },
    { huge_vector, sizeof huge_vector, "a vector of 67108864 elements" },
    { int_min_version, sizeof int_min_version, "format version -2147483648" },
    { long_min_rows, sizeof long_min_rows, "a matrix of -9223372036854775808x-1" },
    { int64_min_mantissa, sizeof int64_min_mantissa, "the file ends inside a number" },
    { version_beyond_int, sizeof version_beyond_int, "out of its field's range" },
  };
  gsize i;

  for (i = 0; i < 2 * 136; i++) {
    huge_vector[6 + 2 * i] = 0x01;
    huge_vector[6 + 2 * i + 1] = 0;
  }
  memcpy (huge_vector + sizeof huge_vector - sizeof tail, tail, sizeof tail);
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = write_model_file (cases[i].bytes, cases[i].size);
    char *message = NULL;

    g_assert_null (fb_shape_model_load (path, &message));
    g_assert_nonnull (message);
    g_test_message ("%s", message);
    g_assert_nonnull (strstr (message, cases[i].says));
    g_assert_nonnull (strstr (message, "model property"));
    free (message);
    g_unlink (path);
  }
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
  g_test_add_func ("/dlib/model-counts-beyond-the-file", test_model_counts_beyond_the_file);
  result = g_test_run ();
  fb_image_free (astronaut_grey);
  return result;
}
