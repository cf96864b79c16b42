/* Large exemplars: reduced to their working size on load, their preparation's memory
 * bounded and checked before it is allocated. Issue 11, item 3.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "fb-cache.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-style.h"
#include "fb-test-helpers.h"

/* The target for a 3072x4096 phone photo. */
#define MAX_PEAK_RSS_BYTES ((guint64) 500 << 20)
#define MAX_CACHE_ENTRY_BYTES ((guint64) 100 << 20)

static const FbStyleParams params = { FB_STYLE_DEFAULT_LAMBDA_POS,
  FB_STYLE_DEFAULT_LAMBDA_APP
};

static guint64
peak_rss_bytes (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return (guint64) usage.ru_maxrss * 1024;
}

static double
mean_abs_difference (const FbImage * a, const FbImage * b)
{
  double sum = 0;
  int x, y;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->channels, ==, b->channels);
  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width * a->channels; x++)
      sum += abs (fb_image_row (a, y)[x] - fb_image_row (b, y)[x]);
  return sum / ((double) a->width * a->height * a->channels);
}

static void
load_default_style (FbImage ** rgb, FbLandmarks * lm)
{
  g_autofree gchar *image_path = fb_test_source_data_path ("default-style.png");
  g_autofree gchar *lm_path = fb_test_source_data_path ("default-style.lm.txt");
  GError *error = NULL;

  *rgb = fb_image_load (image_path, &error);
  g_assert_no_error (error);
  fb_landmarks_load (lm_path, lm, &error);
  g_assert_no_error (error);
}

static void
scale_landmarks (FbLandmarks * lm, float factor)
{
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++) {
    lm->points[i].x = (lm->points[i].x + 0.5f) * factor - 0.5f;
    lm->points[i].y = (lm->points[i].y + 0.5f) * factor - 0.5f;
  }
}

/* At its own size the filter is the identity; flat stays flat at any size; a ramp stays
 * the ramp at the mapped pixel centres. */
static void
test_resize (void)
{
  g_autoptr (FbImage) random = fb_test_random_image (97, 61, 3, 5.0f, 11);
  g_autoptr (FbImage) same = fb_image_resize (random, 97, 61);
  g_autoptr (FbImage) flat = fb_image_new (300, 200, 3);
  g_autoptr (FbImage) ramp = fb_image_new (400, 10, 1);
  g_autoptr (FbImage) small_flat = NULL, big_flat = NULL, small_ramp = NULL;
  int x, y;

  g_assert_cmpmem (same->data, (gsize) same->stride * same->height, random->data,
      (gsize) random->stride * random->height);

  memset (flat->data, 173, (gsize) flat->stride * flat->height);
  small_flat = fb_image_resize (flat, 37, 23);
  big_flat = fb_image_resize (flat, 601, 407);
  for (y = 0; y < small_flat->height; y++)
    for (x = 0; x < small_flat->width * 3; x++)
      g_assert_cmpint (fb_image_row (small_flat, y)[x], ==, 173);
  for (y = 0; y < big_flat->height; y++)
    for (x = 0; x < big_flat->width * 3; x++)
      g_assert_cmpint (fb_image_row (big_flat, y)[x], ==, 173);

  for (y = 0; y < ramp->height; y++)
    for (x = 0; x < ramp->width; x++)
      fb_image_row (ramp, y)[x] = (uint8_t) (x * 255 / 399);
  small_ramp = fb_image_resize (ramp, 100, 10);
  /* away from the clamped edges: output pixel x covers source pixels 4x .. 4x + 3 */
  for (x = 4; x < 96; x++) {
    double expected = (4 * x + 1.5) * 255.0 / 399;
    g_assert_cmpfloat (fabs (fb_image_row (small_ramp, 5)[x] - expected), <=, 1.0);
  }
}

/* Every shipped and test style keeps its size; a face twice too wide is reduced to the
 * working width. */
static void
test_working_size (void)
{
  g_autoptr (FbImage) rgb = NULL;
  FbLandmarks lm;
  int width, height;

  load_default_style (&rgb, &lm);
  g_assert_false (fb_style_working_size (rgb->width, rgb->height, &lm, &width, &height));
  g_assert_cmpint (width, ==, rgb->width);
  g_assert_cmpint (height, ==, rgb->height);

  scale_landmarks (&lm, 4.0f);
  g_assert_true (fb_style_working_size (4 * rgb->width, 4 * rgb->height, &lm, &width,
          &height));
  g_assert_cmpfloat (fabs (width * fb_landmarks_face_width (&lm) / (4.0 * rgb->width)
          - FB_STYLE_WORKING_FACE_WIDTH), <, 1.0);
  g_assert_cmpint (abs (height * rgb->width - width * rgb->height), <=, rgb->height);
}

/* The default style four times larger (3072x4096, a phone photo): prepared at the
 * working size, within the memory and cache targets, and looking like the original. */
static void
test_big_exemplar_reduced (void)
{
  g_autoptr (FbImage) rgb = NULL, big = NULL, expected = NULL;
  g_autoptr (FbStyle) style = NULL;
  g_autofree gchar *entry = NULL;
  FbLandmarks lm, big_lm;
  GError *error = NULL;
  GStatBuf st;
  const FbStyleLevel *level;
  double difference;

  load_default_style (&rgb, &lm);
  big = fb_image_resize (rgb, 4 * rgb->width, 4 * rgb->height);
  big_lm = lm;
  scale_landmarks (&big_lm, 4.0f);
  style = fb_style_new (big, &big_lm, &params, &error);
  g_assert_no_error (error);
  level = &style->levels[0];

  g_printerr ("3072x4096 exemplar: prepared at %dx%d, peak RSS %" G_GUINT64_FORMAT
      " MiB\n", level->rgb->width, level->rgb->height, peak_rss_bytes () >> 20);
  g_assert_cmpfloat (fabs (level->face_width - FB_STYLE_WORKING_FACE_WIDTH), <, 1.5);
  g_assert_cmpint (style->n_levels, ==, 3);
  g_assert_cmpuint (peak_rss_bytes (), <=, MAX_PEAK_RSS_BYTES);
  entry = fb_cache_path (style->digest);
  g_assert_cmpint (g_stat (entry, &st), ==, 0);
  g_printerr ("its cache entry: %" G_GUINT64_FORMAT " MiB\n",
      (guint64) st.st_size >> 20);
  g_assert_cmpuint (st.st_size, <=, MAX_CACHE_ENTRY_BYTES);

  /* up 4x and down ~4x again: the original's detail, no aliasing, no shift */
  expected = fb_image_resize (rgb, level->rgb->width, level->rgb->height);
  difference = mean_abs_difference (level->rgb, expected);
  g_printerr ("mean difference from the original at that size: %.2f grey levels\n",
      difference);
  g_assert_cmpfloat (difference, <, 2.0);
  /* the working size is near, not at, the original's: compare at the working size */
  scale_landmarks (&lm, level->rgb->width / (float) rgb->width);
  g_assert_cmpfloat (fb_test_landmarks_distance (&level->landmarks, &lm), <,
      0.01f * FB_STYLE_WORKING_FACE_WIDTH);

  /* the same pixels prepare to the same style: warm from the cache */
  g_clear_pointer (&style, fb_style_unref);
  style = fb_style_new (big, &big_lm, &params, &error);
  g_assert_no_error (error);
  g_assert_true (style->from_cache);
}

/* A 300 px face in a 6000x6000 picture is not reduced, and preparing it would take
 * gigabytes: refused at once, before any of it is allocated. */
static void
test_too_large_refused (void)
{
  g_autoptr (FbImage) canvas = fb_image_new (6000, 6000, 3);
  FbLandmarks lm;
  GError *error = NULL;
  guint64 peak_before;
  gint64 start;

  fb_test_synthetic_landmarks (&lm, 3000, 3000, 2.5f);
  g_assert_cmpfloat (fb_landmarks_face_width (&lm), <, FB_STYLE_MAX_FACE_WIDTH);
  peak_before = MAX (peak_rss_bytes (), (guint64) canvas->stride * canvas->height);
  start = g_get_monotonic_time ();
  g_assert_null (fb_style_new (canvas, &lm, &params, &error));
  g_assert_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_TOO_LARGE);
  g_printerr ("%s\n", error->message);
  g_assert_nonnull (strstr (error->message, "6000x6000"));
  g_assert_nonnull (strstr (error->message, "crop"));
  g_error_free (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (peak_rss_bytes (), <=, peak_before + (64 << 20));
}

int
main (int argc, char **argv)
{
  g_autofree gchar *tmp_dir = g_dir_make_tmp ("faceblit-large-XXXXXX", NULL);
  g_autofree gchar *cache_dir = g_build_filename (tmp_dir, "cache", NULL);
  int result;

  /* a cache of its own (read once per process), so that the first build is cold */
  g_setenv ("FACEBLIT_CACHE_DIR", cache_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  /* first: the peak RSS it checks is the process's */
  g_test_add_func ("/style-large/big-exemplar-reduced", test_big_exemplar_reduced);
  g_test_add_func ("/style-large/resize", test_resize);
  g_test_add_func ("/style-large/working-size", test_working_size);
  g_test_add_func ("/style-large/too-large-refused", test_too_large_refused);
  result = g_test_run ();

  fb_test_remove_tree (tmp_dir);
  return result;
}
