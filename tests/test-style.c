/* Style preparation: the pyramid, landmark checks, the disk cache of seed tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#include "fb-cache.h"
#include "fb-face-guides-pixel.h"
#include "fb-image-io.h"
#include "fb-style.h"
#include "fb-test-helpers.h"

static const FbStyleParams params = { 16.0f, 2.0f };

static void
remove_cache_entry (const FbStyle * style)
{
  g_autofree gchar *path = fb_cache_path (style->digest);
  g_unlink (path);
}

static gboolean
same_image (const FbImage * a, const FbImage * b)
{
  return a->width == b->width && a->height == b->height && a->channels == b->channels
      && memcmp (a->data, b->data, (gsize) a->stride * a->height) == 0;
}

static void
assert_same_style (const FbStyle * a, const FbStyle * b)
{
  int l;

  g_assert_cmpstr (a->digest, ==, b->digest);
  g_assert_cmpint (a->n_levels, ==, b->n_levels);
  for (l = 0; l < a->n_levels; l++) {
    const FbStyleLevel *x = &a->levels[l], *y = &b->levels[l];
    g_assert_true (same_image (x->rgb, y->rgb));
    g_assert_true (same_image (x->guide, y->guide));
    g_assert_true (same_image (x->mask, y->mask));
    g_assert_true (same_image (x->rgb_blurred, y->rgb_blurred));
    g_assert_cmpuint (fb_seed_table_n_entries (x->table), ==,
        fb_seed_table_n_entries (y->table));
    g_assert_cmpmem (x->table->entries, fb_seed_table_n_entries (x->table) * 4,
        y->table->entries, fb_seed_table_n_entries (y->table) * 4);
  }
}

/* The geometry every style must have, whatever the exemplar. */
static void
check_levels (const FbStyle * style, const FbImage * rgb, const FbLandmarks * lm)
{
  float face_width = fb_landmarks_face_width (lm);
  int expected = 1, l, i;

  while (expected < FB_STYLE_MAX_LEVELS && face_width / (1 << expected) >= 48)
    expected++;
  g_assert_cmpint (style->n_levels, ==, expected);
  for (l = 0; l < style->n_levels; l++) {
    const FbStyleLevel *level = &style->levels[l];
    int w = rgb->width, h = rgb->height, k;
    gboolean inside_counts = FALSE;

    for (k = 0; k < l; k++) {
      w = (w + 1) / 2;
      h = (h + 1) / 2;
    }
    g_assert_cmpint (level->scale, ==, 1 << l);
    g_assert_cmpint (level->rgb->width, ==, w);
    g_assert_cmpint (level->rgb->height, ==, h);
    g_assert_cmpint (level->rgb->channels, ==, 3);
    g_assert_true (level->rgb_blurred->width == w && level->rgb_blurred->height == h
        && level->rgb_blurred->channels == 3);
    g_assert_true (level->guide->width == w && level->guide->height == h
        && level->guide->channels == 1);
    g_assert_true (level->mask->width == w && level->mask->height == h
        && level->mask->channels == 1);
    g_assert_cmpfloat (fabsf (level->face_width - face_width / (1 << l)), <, 1e-3f
        * face_width);
    g_assert_cmpfloat (fabsf (level->lambda_pos_px
            - params.lambda_pos * 100 / level->face_width), <, 1e-4f);
    for (i = 0; i < FB_N_LANDMARKS; i++) {
      g_assert_cmpfloat (fabsf (level->landmarks.points[i].x
              - ((lm->points[i].x + 0.5f) / (1 << l) - 0.5f)), <, 1e-3f);
      g_assert_cmpfloat (fabsf (level->landmarks.points[i].y
              - ((lm->points[i].y + 0.5f) / (1 << l) - 0.5f)), <, 1e-3f);
    }
    /* the nose tip lies inside the head mask, the image corner outside */
    {
      FbPoint nose = level->landmarks.points[30];
      g_assert_cmpint (fb_image_row (level->mask, (int) roundf (nose.y))
          [(int) roundf (nose.x)], ==, 255);
    }
    g_assert_cmpint (level->mask->data[0], ==, 0);
    g_assert_cmpfloat (level->histogram.cdf[255], ==, 1.0f);
    for (i = 0; i < 256; i++)
      inside_counts |= level->histogram.cdf[i] > 0 && level->histogram.cdf[i] < 1;
    g_assert_true (inside_counts);
    g_assert_nonnull (level->table);
    g_assert_cmpint (level->table->width, ==, w);
    g_assert_cmpint (level->table->height, ==, h);
    g_assert_cmpint (level->table->step, ==, l < 2 ? 2 : 1);
    g_assert_cmpint (level->table->n_app, ==, 32);
  }
}

static void
test_cache (void)
{
  const char *key = "test-cache-roundtrip";
  g_autofree gchar *path = fb_cache_path (key);
  g_autofree gchar *contents = NULL;
  guint8 payload[10007], *loaded;
  GError *error = NULL;
  gboolean stored;
  gsize size, length, i;

  for (i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i * 7919 >> 3);
  g_assert_true (g_str_has_prefix (path, fb_cache_dir ()));
  g_unlink (path);
  g_assert_null (fb_cache_load (key, &size));

  stored = fb_cache_store (key, payload, sizeof payload, &error);
  g_assert_no_error (error);
  g_assert_true (stored);
  loaded = fb_cache_load (key, &size);
  g_assert_nonnull (loaded);
  g_assert_cmpmem (loaded, size, payload, sizeof payload);
  g_free (loaded);

  /* every single damaged byte, in the header or the payload, is a miss */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (i = 0; i < length; i += i < 64 ? 1 : 997) {
    contents[i] ^= 0x10;
    g_assert_true (g_file_set_contents (path, contents, length, NULL));
    g_assert_null (fb_cache_load (key, &size));
    contents[i] ^= 0x10;
  }
  /* truncated, extended */
  g_assert_true (g_file_set_contents (path, contents, length - 1, NULL));
  g_assert_null (fb_cache_load (key, &size));
  g_assert_true (g_file_set_contents (path, contents, 20, NULL));
  g_assert_null (fb_cache_load (key, &size));
  {
    g_autofree gchar *longer = g_malloc0 (length + 1);
    memcpy (longer, contents, length);
    g_assert_true (g_file_set_contents (path, longer, length + 1, NULL));
    g_assert_null (fb_cache_load (key, &size));
  }
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  loaded = fb_cache_load (key, &size);
  g_assert_nonnull (loaded);
  g_free (loaded);

  /* an empty payload is a valid entry */
  g_assert_true (fb_cache_store (key, payload, 0, &error));
  loaded = fb_cache_load (key, &size);
  g_assert_nonnull (loaded);
  g_assert_cmpuint (size, ==, 0);
  g_free (loaded);
  g_unlink (path);
}

static void
set_age (const char *key, int seconds)
{
  g_autofree gchar *path = fb_cache_path (key);
  struct utimbuf times;

  times.actime = times.modtime = time (NULL) - seconds;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* Beyond the limit, the least recently used entries go; a hit counts as a use. */
static void
test_cache_eviction (void)
{
  const char *keys[] = { "test-evict-a", "test-evict-b", "test-evict-c" };
  guint8 payload[10000] = { 0 }, *loaded;
  gsize size;
  int i;

  for (i = 0; i < 3; i++) {
    g_autofree gchar *path = fb_cache_path (keys[i]);
    g_unlink (path);
  }
  fb_cache_set_limit (25000);
  g_assert_true (fb_cache_store (keys[0], payload, sizeof payload, NULL));
  set_age (keys[0], 100);
  g_assert_true (fb_cache_store (keys[1], payload, sizeof payload, NULL));
  set_age (keys[1], 50);
  loaded = fb_cache_load (keys[0], &size);
  g_assert_nonnull (loaded);
  g_free (loaded);
  g_assert_true (fb_cache_store (keys[2], payload, sizeof payload, NULL));
  fb_cache_set_limit (G_GUINT64_CONSTANT (1) << 30);

  for (i = 0; i < 3; i++) {
    g_autofree gchar *path = fb_cache_path (keys[i]);
    g_assert_cmpint (g_file_test (path, G_FILE_TEST_EXISTS), ==, i != 1);
    g_unlink (path);
  }
}

static FbImage *
synthetic_exemplar (int width, int height, FbLandmarks * lm)
{
  fb_test_synthetic_landmarks (lm, width * 0.5f, height * 0.45f, 1.0f);
  return fb_test_random_image (width, height, 3, 5.0f, 21);
}

/* Odd sizes, a 120 px face: two levels; everything built and cached. */
static void
test_synthetic (void)
{
  FbLandmarks lm;
  g_autoptr (FbImage) rgb = synthetic_exemplar (241, 301, &lm);
  g_autoptr (FbImage) rgba = fb_image_new (241, 301, 4);
  g_autoptr (FbStyle) cold = NULL;
  g_autoptr (FbStyle) warm = NULL;
  g_autoptr (FbStyle) from_rgba = NULL;
  g_autoptr (FbStyle) other = NULL;
  FbStyleParams other_params = params;
  GError *error = NULL;
  int x, y;

  cold = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  remove_cache_entry (cold);
  g_clear_pointer (&cold, fb_style_unref);

  cold = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_false (cold->from_cache);
  g_assert_cmpint (cold->n_levels, ==, 2);
  check_levels (cold, rgb, &lm);
  warm = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_true (warm->from_cache);
  assert_same_style (cold, warm);

  /* a 4-channel exemplar is the same style */
  for (y = 0; y < 301; y++)
    for (x = 0; x < 241; x++) {
      memcpy (fb_image_row (rgba, y) + 4 * x, fb_image_row (rgb, y) + 3 * x, 3);
      fb_image_row (rgba, y)[4 * x + 3] = 255;
    }
  from_rgba = fb_style_new (rgba, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_true (from_rgba->from_cache);
  assert_same_style (cold, from_rgba);

  /* other parameters are another entry */
  other_params.lambda_app = 1.0f;
  other = fb_style_new (rgb, &lm, &other_params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other->digest, !=, cold->digest);
  remove_cache_entry (other);
  remove_cache_entry (cold);

  /* references */
  g_assert_true (fb_style_ref (warm) == warm);
  g_assert_cmpint (warm->ref_count, ==, 2);
  fb_style_unref (warm);
  g_assert_cmpint (warm->ref_count, ==, 1);
}

/* Paints the size x size square at (x0, 0) of rgb grey. */
static void
paint_square (FbImage * rgb, int x0, int size, uint8_t grey)
{
  int y;

  for (y = 0; y < size; y++)
    memset (fb_image_row (rgb, y) + 3 * x0, grey, 3 * size);
}

/* The corner that the positional guide is tiled from beyond the exemplar is the top
 * one that is plain and of the border's colour, the same from the cache. */
static void
test_background_corner (void)
{
  const int w = 241, h = 301, size = 40;
  FbLandmarks lm;
  g_autoptr (FbImage) rgb = synthetic_exemplar (w, h, &lm);
  struct {
    uint8_t left, right;        /* 0: the exemplar's texture there */
    int corner;
  } cases[] = {
    {0, 128, FB_STYLE_CORNER_RIGHT},    /* plainer on the right */
    {128, 0, 0},
    {128, 230, 0},              /* both plain: the one of the border's colour */
    {230, 128, FB_STYLE_CORNER_RIGHT},
  };
  guint i;
  int l;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (FbImage) painted = fb_image_copy (rgb);
    g_autoptr (FbStyle) cold = NULL;
    g_autoptr (FbStyle) warm = NULL;
    GError *error = NULL;

    if (cases[i].left)
      paint_square (painted, 0, size, cases[i].left);
    if (cases[i].right)
      paint_square (painted, w - size, size, cases[i].right);
    cold = fb_style_new (painted, &lm, &params, &error);
    g_assert_no_error (error);
    warm = fb_style_new (painted, &lm, &params, &error);
    g_assert_no_error (error);
    g_assert_true (warm->from_cache);
    for (l = 0; l < cold->n_levels; l++) {
      g_assert_cmpint (cold->levels[l].background_corner, ==, cases[i].corner);
      g_assert_cmpint (warm->levels[l].background_corner, ==, cases[i].corner);
    }
    remove_cache_entry (cold);
  }
}

/* The backdrop's tone leaves the figure out: a plain backdrop of 200 with a dark coat
 * (40) across the bottom and a dark stroke beside the face keeps the backdrop's 200
 * over the stroke and next to the coat, where a plain blur would darken both; deep in
 * the coat, with no backdrop around, the corner's tone. The border's tone is the
 * backdrop's. */
static void
test_backdrop_tone (void)
{
  const int w = 241, h = 301, coat = 60;
  FbLandmarks lm;
  g_autoptr (FbImage) rgb = fb_image_new (w, h, 3);
  g_autoptr (FbStyle) style = NULL;
  GError *error = NULL;
  const FbStyleLevel *level;
  int y, scale, c;

  fb_test_synthetic_landmarks (&lm, w * 0.5f, h * 0.45f, 1.0f);
  for (y = 0; y < h; y++) {
    uint8_t *row = fb_image_row (rgb, y);
    memset (row, y >= h - coat ? 40 : 200, 3 * w);
    if (y >= 100 && y < 200)
      memset (row + 3 * 20, 40, 3 * 4);
  }
  style = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  level = &style->levels[0];
  scale = level->scale;
  for (c = 0; c < 3; c++) {
    g_assert_cmpint (abs (fb_image_row (level->tone, 150 / scale)[3 * (21 / scale) + c]
            - 200), <=, 2);
    g_assert_cmpint (abs (fb_image_row (level->tone, (h - coat + 2) / scale)[3 * (w / 2
                    / scale) + c] - 200), <=, 2);
    g_assert_cmpint (abs (fb_image_row (level->tone, (h - 1) / scale)[3 * (w / 2 / scale)
                + c] - 200), <=, 2);
    g_assert_cmpint (abs (level->border_tone[c] - 200), <=, 2);
  }
  remove_cache_entry (style);
}

static void
expect_landmarks_error (const FbImage * rgb, const FbLandmarks * lm, const char *what)
{
  GError *error = NULL;
  FbStyle *style = fb_style_new (rgb, lm, &params, &error);

  g_assert_null (style);
  g_assert_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_LANDMARKS);
  g_test_message ("%s: %s", what, error->message);
  g_error_free (error);
}

static void
test_bad_landmarks (void)
{
  FbLandmarks good, lm;
  g_autoptr (FbImage) rgb = synthetic_exemplar (240, 300, &good);
  int i;

  lm = good;
  lm.points[5].x = -3;
  expect_landmarks_error (rgb, &lm, "outside");
  lm = good;
  lm.points[40].y = 300;
  expect_landmarks_error (rgb, &lm, "outside");
  lm = good;
  lm.points[60].x = NAN;
  expect_landmarks_error (rgb, &lm, "not a number");
  fb_test_synthetic_landmarks (&lm, 120, 135, 0.3f);
  expect_landmarks_error (rgb, &lm, "too small");
  /* upside down: the mouth above the eyes */
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    lm.points[i].x = good.points[i].x;
    lm.points[i].y = 300 - 1 - good.points[i].y;
  }
  expect_landmarks_error (rgb, &lm, "upside down");
}

static void
test_charcoalman (void)
{
  g_autofree char *image_path = fb_test_shared_path ("styles/charcoalman.png");
  g_autofree char *lm_path = fb_test_shared_path ("styles/charcoalman.lm.txt");
  g_autoptr (FbImage) rgb = NULL;
  g_autoptr (FbStyle) first = NULL;
  g_autoptr (FbStyle) cold = NULL;
  g_autoptr (FbStyle) warm = NULL;
  g_autoptr (FbStyle) rebuilt = NULL;
  g_autoptr (FbStyle) loaded = NULL;
  g_autofree gchar *cache_path = NULL;
  g_autofree gchar *contents = NULL;
  GError *error = NULL;
  FbLandmarks lm;
  GStatBuf st;
  gsize length, i;
  int l;
  gint64 t0, t1, t2;
  double cold_ms, warm_ms;

  if (!image_path || !lm_path) {
    g_test_skip ("../shared/data/styles/charcoalman.png and its landmarks are absent");
    return;
  }
  rgb = fb_image_load (image_path, &error);
  g_assert_no_error (error);
  g_assert_true (fb_landmarks_load (lm_path, &lm, &error));
  g_assert_no_error (error);

  first = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  remove_cache_entry (first);

  t0 = g_get_monotonic_time ();
  cold = fb_style_new (rgb, &lm, &params, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  warm = fb_style_new (rgb, &lm, &params, &error);
  t2 = g_get_monotonic_time ();
  g_assert_no_error (error);
  cold_ms = (t1 - t0) / 1000.0;
  warm_ms = (t2 - t1) / 1000.0;
  g_assert_false (cold->from_cache);
  g_assert_true (warm->from_cache);
  check_levels (cold, rgb, &lm);
  assert_same_style (cold, warm);

  cache_path = fb_cache_path (cold->digest);
  g_assert_cmpint (g_stat (cache_path, &st), ==, 0);
  g_test_message ("charcoalman %dx%d, %d levels: cold %.1f ms, warm %.1f ms, cache file "
      "%.1f MB", rgb->width, rgb->height, cold->n_levels, cold_ms, warm_ms,
      st.st_size / 1e6);
  g_assert_cmpfloat (warm_ms, <, 0.75 * cold_ms);

  /* damaged: flip the lowest bit of a few entries in the middle of the tables (they
   * stay valid pixels, so only the checksum can tell); rebuilt, identical, rewritten */
  g_assert_true (g_file_get_contents (cache_path, &contents, &length, NULL));
  for (i = (length / 2) & ~(gsize) 3; i < length / 2 + 64; i += 4)
    contents[i] ^= 0x01;
  g_assert_true (g_file_set_contents (cache_path, contents, length, NULL));
  rebuilt = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_false (rebuilt->from_cache);
  assert_same_style (cold, rebuilt);

  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->from_cache);
  assert_same_style (cold, loaded);
  g_clear_pointer (&rebuilt, fb_style_unref);

  /* tampered: an entry outside the style image in each level's table, under a valid
   * checksum (only the bounds check can tell); rebuilt, never trusted */
  for (l = 0; l < cold->n_levels; l++) {
    const FbSeedTable *t = cold->levels[l].table;
    g_autofree guint8 *payload = fb_cache_load (cold->digest, &length);
    guint8 *entry = memmem (payload, length, t->entries, 64);
    const uint32_t outside = FB_PIXEL_PACK (t->width, 0);
    g_assert_nonnull (entry);
    memcpy (entry + 4 * (fb_seed_table_n_entries (t) / 2), &outside, 4);
    g_assert_true (fb_cache_store (cold->digest, payload, length, &error));
    g_assert_no_error (error);
    rebuilt = fb_style_new (rgb, &lm, &params, &error);
    g_assert_no_error (error);
    g_assert_false (rebuilt->from_cache);
    assert_same_style (cold, rebuilt);
    g_clear_pointer (&rebuilt, fb_style_unref);
  }
  remove_cache_entry (cold);
}

static void
append_png_bytes (png_structp png, png_bytep data, size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, length);
}

static void
flush_nothing (png_structp png)
{
}

/* A PNG of rgb whose size depends on nothing but the image's: stored, unfiltered. */
static GByteArray *
stored_png (const FbImage * rgb)
{
  GByteArray *bytes = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  int y;

  png_set_write_fn (png, bytes, append_png_bytes, flush_nothing);
  png_set_compression_level (png, 0);
  png_set_filter (png, 0, PNG_FILTER_NONE);
  png_set_IHDR (png, info, rgb->width, rgb->height, 8, PNG_COLOR_TYPE_RGB,
      PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (y = 0; y < rgb->height; y++)
    png_write_row (png, fb_image_row (rgb, y));
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return bytes;
}

/* Overwrites the file in place (same inode) and gives it a fixed modification time. */
static void
overwrite_in_place (const char *path, const GByteArray * bytes)
{
  FILE *file = g_fopen (path, "r+b");
  struct utimbuf times = { 1000000000, 1000000000 };

  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (bytes->data, 1, bytes->len, file), ==, bytes->len);
  g_assert_cmpint (fclose (file), ==, 0);
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* The keys of the entries that fb_style_load keeps per style file and that name digest
 * (they hold it in hex). g_strfreev. */
static gchar **
file_entry_keys (const char *digest)
{
  GPtrArray *keys = g_ptr_array_new ();
  GDir *dir = g_dir_open (fb_cache_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_build_filename (fb_cache_dir (), name, NULL);
    g_autofree gchar *contents = NULL;
    gsize length;
    if (g_str_has_prefix (name, "file-") && g_str_has_suffix (name, ".fbcache")
        && g_file_get_contents (path, &contents, &length, NULL)
        && memmem (contents, length, digest, strlen (digest)))
      g_ptr_array_add (keys, g_strndup (name, strlen (name) - strlen (".fbcache")));
  }
  g_dir_close (dir);
  g_ptr_array_add (keys, NULL);
  return (gchar **) g_ptr_array_free (keys, FALSE);
}

/* Deletes the file entries that name digest; returns how many there were. */
static guint
remove_file_entries (const char *digest)
{
  g_auto (GStrv) keys = file_entry_keys (digest);
  guint i;

  for (i = 0; keys[i]; i++) {
    g_autofree gchar *path = fb_cache_path (keys[i]);
    g_unlink (path);
  }
  return i;
}

/* fb_style_load recognises a style file by its bytes: a file rewritten in place with
 * other pixels but the same size and modification time is another style; a file entry
 * whose style entry is gone leads to a rebuild, one that names another exemplar size
 * (under a valid checksum) is not trusted. */
static void
test_file_entries (void)
{
  g_autofree char *tmpdir = g_dir_make_tmp ("faceblit-test-style-XXXXXX", NULL);
  g_autofree char *image_path = g_build_filename (tmpdir, "style.png", NULL);
  g_autofree char *lm_path = g_build_filename (tmpdir, "style.lm.txt", NULL);
  FbLandmarks lm;
  g_autoptr (FbImage) first_rgb = synthetic_exemplar (241, 301, &lm);
  g_autoptr (FbImage) second_rgb = fb_test_random_image (241, 301, 3, 5.0f, 22);
  g_autoptr (FbStyle) first = NULL;
  g_autoptr (FbStyle) second = NULL;
  g_autoptr (FbStyle) loaded = NULL;
  GByteArray *first_png = stored_png (first_rgb), *second_png = stored_png (second_rgb);
  g_auto (GStrv) keys = NULL;
  GError *error = NULL;
  GStatBuf before, after;
  gsize length;
  guint i;

  g_assert_cmpuint (first_png->len, ==, second_png->len);
  first = fb_style_new (first_rgb, &lm, &params, &error);
  g_assert_no_error (error);
  second = fb_style_new (second_rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->digest, !=, second->digest);
  g_assert_true (fb_landmarks_save (lm_path, &lm, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (image_path, (const gchar *) first_png->data,
          first_png->len, NULL));
  overwrite_in_place (image_path, first_png);

  /* the first load writes the file entry, the second goes through it */
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->from_cache);
  g_clear_pointer (&loaded, fb_style_unref);
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->from_cache);
  assert_same_style (first, loaded);
  g_clear_pointer (&loaded, fb_style_unref);

  g_assert_cmpint (g_stat (image_path, &before), ==, 0);
  overwrite_in_place (image_path, second_png);
  g_assert_cmpint (g_stat (image_path, &after), ==, 0);
  g_assert_true (before.st_ino == after.st_ino && before.st_size == after.st_size
      && before.st_mtime == after.st_mtime);
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  assert_same_style (second, loaded);
  g_clear_pointer (&loaded, fb_style_unref);

  /* the file entry stays, the style entry it names is gone */
  remove_cache_entry (second);
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  g_assert_false (loaded->from_cache);
  assert_same_style (second, loaded);
  g_clear_pointer (&loaded, fb_style_unref);
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->from_cache);
  assert_same_style (second, loaded);
  g_clear_pointer (&loaded, fb_style_unref);

  keys = file_entry_keys (second->digest);
  for (i = 0; keys[i]; i++) {
    g_autofree guint8 *entry = fb_cache_load (keys[i], &length);
    guint32 width;
    /* a byte-order mark, then the width */
    g_assert_nonnull (entry);
    memcpy (&width, entry + 4, 4);
    g_assert_cmpuint (width, ==, 241);
    width = 240;
    memcpy (entry + 4, &width, 4);
    g_assert_true (fb_cache_store (keys[i], entry, length, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (i, >=, 1);
  loaded = fb_style_load (image_path, lm_path, NULL, &params, &error);
  g_assert_no_error (error);
  assert_same_style (second, loaded);

  remove_cache_entry (first);
  remove_cache_entry (second);
  g_assert_cmpuint (remove_file_entries (first->digest), >=, 1);
  g_assert_cmpuint (remove_file_entries (second->digest), >=, 1);
  g_byte_array_unref (first_png);
  g_byte_array_unref (second_png);
  g_unlink (image_path);
  g_unlink (lm_path);
  g_rmdir (tmpdir);
}

static void
test_detect (void)
{
  g_autofree char *astronaut = fb_test_astronaut_path ();
  const char *model_path = fb_test_model_path ();
  g_autofree char *tmpdir = NULL;
  g_autofree char *flat_path = NULL;
  g_autoptr (FbImage) flat = fb_image_new (320, 240, 3);
  g_autoptr (FbStyle) style = NULL;
  FbShapeModel *model;
  char *message = NULL;
  GError *error = NULL;

  tmpdir = g_dir_make_tmp ("faceblit-test-style-XXXXXX", NULL);
  flat_path = g_build_filename (tmpdir, "flat.png", NULL);
  memset (flat->data, 128, (gsize) flat->stride * flat->height);
  g_assert_true (fb_image_save_png (flat, flat_path, &error));

  /* without a model or landmark file nothing can find the face */
  g_assert_null (fb_style_load (flat_path, NULL, NULL, &params, &error));
  g_assert_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE);
  g_assert_nonnull (strstr (error->message, flat_path));
  g_assert_nonnull (strstr (error->message, "style-landmarks"));
  g_clear_error (&error);

  if (!model_path) {
    g_test_skip ("dlib's shape predictor is not installed");
    goto out;
  }
  model = fb_shape_model_load (model_path, &message);
  g_assert_null (message);
  g_assert_nonnull (model);

  g_assert_null (fb_style_load (flat_path, NULL, model, &params, &error));
  g_assert_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE);
  g_assert_nonnull (strstr (error->message, flat_path));
  g_assert_nonnull (strstr (error->message, "style-landmarks"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  if (astronaut) {
    style = fb_style_load (astronaut, NULL, model, &params, &error);
    g_assert_no_error (error);
    g_assert_nonnull (style);
    /* the astronaut's face is about a quarter of the 512 px portrait wide */
    g_assert_cmpfloat (style->levels[0].face_width, >, 90);
    g_assert_cmpfloat (style->levels[0].face_width, <, 260);
    g_assert_cmpfloat (style->levels[0].landmarks.points[8].y, >,
        style->levels[0].landmarks.points[27].y);
    remove_cache_entry (style);
  } else {
    g_test_message ("the astronaut portrait is not installed: detection on a face "
        "not tested");
  }
  fb_shape_model_free (model);

out:
  g_unlink (flat_path);
  g_rmdir (tmpdir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* never touch the user's cache, even when run by hand */
  if (!g_getenv ("FACEBLIT_CACHE_DIR")) {
    g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "faceblit-test-cache",
        NULL);
    g_setenv ("FACEBLIT_CACHE_DIR", dir, TRUE);
  }
  g_test_add_func ("/cache/roundtrip-and-damage", test_cache);
  g_test_add_func ("/cache/eviction", test_cache_eviction);
  g_test_add_func ("/style/synthetic", test_synthetic);
  g_test_add_func ("/style/bad-landmarks", test_bad_landmarks);
  g_test_add_func ("/style/background-corner", test_background_corner);
  g_test_add_func ("/style/backdrop-tone", test_backdrop_tone);
  g_test_add_func ("/style/file-entries", test_file_entries);
  g_test_add_func ("/style/charcoalman", test_charcoalman);
  g_test_add_func ("/style/detect", test_detect);
  return g_test_run ();
}
