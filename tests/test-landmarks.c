/* faceblit — tests for landmark files and the geometry derived from landmarks.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "fb-landmarks.h"
#include "fb-test-helpers.h"

static char *tmp_dir;

/* A plausible face: jaw arc, brows, nose, eyes, mouth, with a little randomness. */
static void
make_face (FbLandmarks * lm, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++) {
    float x, y;
    if (i <= 16) {
      float t = G_PI * i / 16;
      x = 200 - 100 * cosf (t);
      y = 200 + 120 * sinf (t) - 40;
    } else if (i <= 26) {
      x = 120 + 16 * (i - 17);
      y = 120;
    } else if (i <= 35) {
      x = i <= 30 ? 200 : 184 + 8 * (i - 31);
      y = i <= 30 ? 140 + 12 * (i - 27) : 190;
    } else if (i <= 47) {
      float t = G_PI * ((i - 36) % 6) / 3;
      x = (i < 42 ? 160 : 240) + 14 * cosf (t);
      y = 145 + 6 * sinf (t);
    } else {
      float t = 2 * G_PI * (i - 48) / 20;
      x = 200 + 35 * cosf (t);
      y = 235 + 12 * sinf (t);
    }
    lm->points[i].x = x + g_rand_double_range (rand, -2, 2);
    lm->points[i].y = y + g_rand_double_range (rand, -2, 2);
  }
  g_rand_free (rand);
}

static char *
write_text (const char *name, const char *text)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* `n_points` valid lines. */
static GString *
face_text (int n_points)
{
  GString *s = g_string_new ("");
  int i;
  for (i = 0; i < n_points; i++)
    g_string_append_printf (s, "%d.5 %d\n", 100 + i, 200 - i);
  return s;
}

static void
assert_message_has (const GError * error, const char *fragment)
{
  if (!strstr (error->message, fragment))
    g_error ("message “%s” does not contain “%s”", error->message, fragment);
}

static void
test_round_trip (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "face.lm.txt", NULL);
  g_autoptr (GError) error = NULL;
  FbLandmarks lm, back;
  GDir *dir;
  const char *entry;
  int i;

  make_face (&lm, 1);
  /* Values that need all of a float's digits. */
  lm.points[5].x = 1.0f / 3;
  lm.points[6].y = 12345.678f;
  lm.points[7].x = -0.000123f;
  g_assert_true (fb_landmarks_save (path, &lm, &error));
  g_assert_no_error (error);
  g_assert_true (fb_landmarks_load (path, &back, &error));
  g_assert_no_error (error);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    g_assert_cmpfloat (back.points[i].x, ==, lm.points[i].x);
    g_assert_cmpfloat (back.points[i].y, ==, lm.points[i].y);
  }
  /* The atomic save leaves no temporary file behind. */
  dir = g_dir_open (tmp_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)))
    g_assert_cmpstr (entry, ==, "face.lm.txt");
  g_dir_close (dir);
  g_unlink (path);
}

/* Writes text to a file and loads it, which must succeed; frees text. */
static void
assert_loads (GString * text, FbLandmarks * lm)
{
  g_autofree char *path = write_text ("loads.txt", text->str);
  g_autoptr (GError) error = NULL;

  g_assert_true (fb_landmarks_load (path, lm, &error));
  g_assert_no_error (error);
  g_string_free (text, TRUE);
  g_unlink (path);
}

static void
test_comments_blank_lines_crlf (void)
{
  GString *text = g_string_new ("# made by hand\r\n\r\n   \n");
  FbLandmarks lm;
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++)
    g_string_append_printf (text, "\t%d  %de-1 \r\n%s", i, i, i == 30 ? "# mid\n\n" : "");
  assert_loads (text, &lm);
  g_assert_cmpfloat (lm.points[67].x, ==, 67);
  g_assert_cmpfloat_with_epsilon (lm.points[67].y, 6.7, 1e-5);
}

/* Editors on Windows write a byte-order mark; the property's blurb promises that #
 * starts a comment anywhere on a line. */
static void
test_bom_and_trailing_comments (void)
{
  GString *text = g_string_new ("\xef\xbb\xbf");
  FbLandmarks lm;
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++)
    g_string_append_printf (text, "%d.5 %d%s\n", i, 2 * i, i % 2 ? " # jaw, I think" :
        "#no space");
  assert_loads (text, &lm);
  g_assert_cmpfloat (lm.points[0].x, ==, 0.5);
  g_assert_cmpfloat (lm.points[67].y, ==, 134);
}

/* Bytes after a zero byte were ignored: a binary file that happens to start with 68
 * points is not a landmarks file. */
static void
test_zero_byte (void)
{
  GString *text = face_text (FB_N_LANDMARKS);
  const gsize offset = text->len;
  g_autofree char *path = g_build_filename (tmp_dir, "binary.txt", NULL);
  g_autofree char *expect = g_strdup_printf ("offset %" G_GSIZE_FORMAT, offset);
  g_autoptr (GError) error = NULL;
  FbLandmarks lm;

  g_string_append_len (text, "\0garbage\n1 2\n", 14);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  g_assert_false (fb_landmarks_load (path, &lm, &error));
  g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_PARSE);
  assert_message_has (error, path);
  assert_message_has (error, "not a text file");
  assert_message_has (error, expect);
  g_string_free (text, TRUE);
  g_unlink (path);
}

static void
test_wrong_count (void)
{
  int counts[] = { 0, 67, 69 }, k;

  for (k = 0; k < 3; k++) {
    GString *text = face_text (counts[k]);
    g_autofree char *path = write_text ("count.txt", text->str);
    g_autofree char *expect = g_strdup_printf ("has %d points", counts[k]);
    g_autoptr (GError) error = NULL;
    FbLandmarks lm;

    g_assert_false (fb_landmarks_load (path, &lm, &error));
    g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_COUNT);
    assert_message_has (error, path);
    assert_message_has (error, expect);
    assert_message_has (error, "68");
    assert_message_has (error, "iBUG-300W");
    g_string_free (text, TRUE);
    g_unlink (path);
  }
}

static void
test_malformed_line (void)
{
  const char *bad[] = { "12.5 abc", "1 2 3", "7", "nan 3", "4 inf", "1e999 2", "1,2",
    "x y"
  };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (bad); k++) {
    GString *text = g_string_new ("# header\n\n");
    g_autofree char *path = NULL;
    g_autoptr (GError) error = NULL;
    FbLandmarks lm;
    int i;

    /* The bad line is line 3 + 40 = 43 of the file (two header lines). */
    for (i = 0; i < FB_N_LANDMARKS; i++)
      g_string_append_printf (text, "%s\n", i == 40 ? bad[k] : "10 20");
    path = write_text ("bad.txt", text->str);
    g_assert_false (fb_landmarks_load (path, &lm, &error));
    g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_PARSE);
    assert_message_has (error, path);
    assert_message_has (error, "line 43");
    assert_message_has (error, bad[k]);
    g_string_free (text, TRUE);
    g_unlink (path);
  }
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "absent.txt", NULL);
  g_autoptr (GError) error = NULL;
  FbLandmarks lm;

  g_assert_false (fb_landmarks_load (path, &lm, &error));
  g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE);
  assert_message_has (error, path);
  g_clear_error (&error);
  g_assert_false (fb_landmarks_save ("/nonexistent-folder/x.txt", &lm, &error));
  g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE);
  assert_message_has (error, "/nonexistent-folder/x.txt");
}

static void
test_measures (void)
{
  FbLandmarks lm;
  FbPoint r, l;
  float x0, y0, x1, y1;
  int i;

  memset (&lm, 0, sizeof (lm));
  for (i = 36; i < 42; i++)
    lm.points[i] = (FbPoint) { 10 + i - 36, 20 };
  for (i = 42; i < 48; i++)
    lm.points[i] = (FbPoint) { 50, 30 + 2 * (i - 42) };
  lm.points[0] = (FbPoint) { 0, 0 };
  lm.points[16] = (FbPoint) { 30, 40 };
  lm.points[60] = (FbPoint) { -7, 99 };
  r = fb_landmarks_right_eye_centre (&lm);
  l = fb_landmarks_left_eye_centre (&lm);
  g_assert_cmpfloat_with_epsilon (r.x, 12.5, 1e-5);
  g_assert_cmpfloat_with_epsilon (r.y, 20, 1e-5);
  g_assert_cmpfloat_with_epsilon (l.x, 50, 1e-5);
  g_assert_cmpfloat_with_epsilon (l.y, 35, 1e-5);
  g_assert_cmpfloat_with_epsilon (fb_landmarks_face_width (&lm), 50, 1e-4);
  fb_landmarks_bounds (&lm, &x0, &y0, &x1, &y1);
  g_assert_cmpfloat (x0, ==, -7);
  g_assert_cmpfloat (y0, ==, 0);
  g_assert_cmpfloat (x1, ==, 50);
  g_assert_cmpfloat (y1, ==, 99);
}

static void
test_align_recovers_similarity (void)
{
  const FbSimilarity truths[] = {
    {1, 0, 0, 0}, {0.8f, 0.3f, 12.5f, -40}, {-1.5f, 0.2f, 300, 7}, {0.05f, -2.0f, -3, 900},
  };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (truths); k++) {
    FbLandmarks from, to, moved;
    FbSimilarity s;
    int i;

    make_face (&from, 10 + k);
    fb_landmarks_transform (&from, truths[k], &to);
    /* The jaw and mouth move with expression and pose; they must not sway the fit. */
    for (i = FB_LM_JAW_FIRST; i <= FB_LM_JAW_LAST; i++)
      to.points[i].x += 25 * sinf (i);
    for (i = FB_LM_MOUTH_FIRST; i < FB_N_LANDMARKS; i++)
      to.points[i].y += 30;
    s = fb_landmarks_align (&from, &to);
    g_assert_cmpfloat_with_epsilon (s.a, truths[k].a, 1e-4);
    g_assert_cmpfloat_with_epsilon (s.b, truths[k].b, 1e-4);
    g_assert_cmpfloat_with_epsilon (s.tx, truths[k].tx, 1e-2);
    g_assert_cmpfloat_with_epsilon (s.ty, truths[k].ty, 1e-2);

    fb_landmarks_transform (&from, s, &moved);
    for (i = FB_LM_NOSE_FIRST; i < FB_LM_MOUTH_FIRST; i++) {
      g_assert_cmpfloat_with_epsilon (moved.points[i].x, to.points[i].x, 1e-2);
      g_assert_cmpfloat_with_epsilon (moved.points[i].y, to.points[i].y, 1e-2);
    }
  }
}

/* With noise, the fit is the least-squares optimum: no nudge of a, b, tx, ty lowers
 * the squared error over the stable points. */
static void
test_align_is_least_squares (void)
{
  FbLandmarks from, to;
  FbSimilarity s, t;
  GRand *rand = g_rand_new_with_seed (3);
  const FbSimilarity truth = { 1.2f, -0.4f, 30, 50 };
  double best;
  int i, d;

  make_face (&from, 77);
  fb_landmarks_transform (&from, truth, &to);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    to.points[i].x += g_rand_double_range (rand, -3, 3);
    to.points[i].y += g_rand_double_range (rand, -3, 3);
  }
  s = fb_landmarks_align (&from, &to);

#define SQ_ERROR(sim, out) do {                                              \
    out = 0;                                                                 \
    for (i = FB_LM_NOSE_FIRST; i < FB_LM_MOUTH_FIRST; i++) {                 \
      FbPoint p = fb_similarity_apply (sim, from.points[i]);                 \
      out += (p.x - to.points[i].x) * (p.x - to.points[i].x)                 \
          + (p.y - to.points[i].y) * (p.y - to.points[i].y);                 \
    }                                                                        \
  } while (0)

  SQ_ERROR (s, best);
  for (d = 0; d < 8; d++) {
    double e;
    float step = d % 2 ? -1e-3f : 1e-3f;
    t = s;
    if (d / 2 == 0)
      t.a += step;
    else if (d / 2 == 1)
      t.b += step;
    else if (d / 2 == 2)
      t.tx += step * 100;
    else
      t.ty += step * 100;
    SQ_ERROR (t, e);
    g_assert_cmpfloat (e, >=, best - 1e-3);
  }
#undef SQ_ERROR
  g_rand_free (rand);
}

static void
test_shared_style_landmarks (void)
{
  const char *names[] = { "bronzestatue", "charcoalman", "girl", "ken", "laurinbust",
    "lincolnbust", "watercolorgirl"
  };
  g_autofree char *dir = fb_test_shared_path ("styles");
  guint k, loaded = 0;

  if (!dir) {
    g_test_skip ("../shared/data is not present");
    return;
  }
  for (k = 0; k < G_N_ELEMENTS (names); k++) {
    g_autofree char *file = g_strdup_printf ("styles/%s.lm.txt", names[k]);
    g_autofree char *path = fb_test_shared_path (file);
    g_autoptr (GError) error = NULL;
    FbLandmarks lm;
    FbPoint r, l;

    if (!path)
      continue;
    g_assert_true (fb_landmarks_load (path, &lm, &error));
    g_assert_no_error (error);
    /* Image left (the subject's right eye) comes first in iBUG-300W order. */
    r = fb_landmarks_right_eye_centre (&lm);
    l = fb_landmarks_left_eye_centre (&lm);
    g_assert_cmpfloat (r.x, <, l.x);
    g_assert_cmpfloat (fb_landmarks_face_width (&lm), >, 100);
    loaded++;
  }
  g_assert_cmpuint (loaded, >, 0);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("fb-test-landmarks-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/landmarks/round-trip", test_round_trip);
  g_test_add_func ("/landmarks/comments-blank-lines-crlf", test_comments_blank_lines_crlf);
  g_test_add_func ("/landmarks/bom-and-trailing-comments",
      test_bom_and_trailing_comments);
  g_test_add_func ("/landmarks/zero-byte", test_zero_byte);
  g_test_add_func ("/landmarks/wrong-count", test_wrong_count);
  g_test_add_func ("/landmarks/malformed-line", test_malformed_line);
  g_test_add_func ("/landmarks/missing-file", test_missing_file);
  g_test_add_func ("/landmarks/measures", test_measures);
  g_test_add_func ("/landmarks/align-recovers-similarity", test_align_recovers_similarity);
  g_test_add_func ("/landmarks/align-is-least-squares", test_align_is_least_squares);
  g_test_add_func ("/landmarks/shared-style-landmarks", test_shared_style_landmarks);
  result = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return result;
}
