/* faceblit — cache entries that cannot be trusted (damaged, another style's entry
 * copied under this one's name) are rebuilt, and the style says so, naming the file.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <glib/gstdio.h>

#include "fb-cache.h"
#include "fb-style.h"
#include "fb-test-helpers.h"

static const FbStyleParams params = { 16.0f, 2.0f };

static void
assert_message_has (const char *message, const char *fragment)
{
  if (!message || !strstr (message, fragment))
    g_error ("message “%s” does not contain “%s”", message, fragment);
}

/* A small synthetic style (one level), built from scratch: its entry removed first. */
static FbStyle *
fresh_style (guint32 seed, FbImage ** rgb_out, FbLandmarks * lm)
{
  FbImage *rgb = fb_test_random_image (161, 201, 3, 5.0f, seed);
  g_autoptr (GError) error = NULL;
  FbStyle *style;
  char *path;

  fb_test_synthetic_landmarks (lm, 80, 90, 0.7f);
  style = fb_style_new (rgb, lm, &params, &error);
  g_assert_no_error (error);
  path = fb_cache_path (style->digest);
  g_unlink (path);
  g_free (path);
  fb_style_unref (style);
  style = fb_style_new (rgb, lm, &params, &error);
  g_assert_no_error (error);
  g_assert_false (style->from_cache);
  g_assert_null (style->cache_warning);
  *rgb_out = rgb;
  return style;
}

static void
test_damaged_entry_is_reported (void)
{
  g_autoptr (FbImage) rgb = NULL;
  FbLandmarks lm;
  g_autoptr (FbStyle) cold = fresh_style (31, &rgb, &lm);
  g_autoptr (FbStyle) rebuilt = NULL;
  g_autoptr (FbStyle) warm = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fb_cache_path (cold->digest);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  contents[length / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  rebuilt = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_false (rebuilt->from_cache);
  assert_message_has (rebuilt->cache_warning, path);
  assert_message_has (rebuilt->cache_warning, "damaged");
  assert_message_has (rebuilt->cache_warning, "rebuilt");

  /* rebuilt once: the next load is a silent hit */
  warm = fb_style_new (rgb, &lm, &params, &error);
  g_assert_no_error (error);
  g_assert_true (warm->from_cache);
  g_assert_null (warm->cache_warning);
  g_unlink (path);
}

/* An intact entry of style B copied over style A's: its checksum is fine, but it is
 * not A's. */
static void
test_other_styles_entry_is_refused (void)
{
  g_autoptr (FbImage) rgb_a = NULL;
  g_autoptr (FbImage) rgb_b = NULL;
  FbLandmarks lm_a, lm_b;
  g_autoptr (FbStyle) a = fresh_style (41, &rgb_a, &lm_a);
  g_autoptr (FbStyle) b = fresh_style (42, &rgb_b, &lm_b);
  g_autoptr (FbStyle) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path_a = fb_cache_path (a->digest);
  g_autofree char *path_b = fb_cache_path (b->digest);
  g_autofree char *contents = NULL;
  gsize length;
  int l, y;

  g_assert_cmpstr (a->digest, !=, b->digest);
  g_assert_true (g_file_get_contents (path_b, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path_a, contents, length, NULL));
  again = fb_style_new (rgb_a, &lm_a, &params, &error);
  g_assert_no_error (error);
  g_assert_false (again->from_cache);
  assert_message_has (again->cache_warning, path_a);
  assert_message_has (again->cache_warning, "another entry");
  /* and it is A, not B */
  for (l = 0; l < a->n_levels; l++)
    for (y = 0; y < a->levels[l].rgb->height; y++)
      g_assert_cmpmem (fb_image_row (again->levels[l].rgb, y), a->levels[l].rgb->width
          * 3, fb_image_row (a->levels[l].rgb, y), a->levels[l].rgb->width * 3);
  g_unlink (path_a);
  g_unlink (path_b);
}

/* The key inside an entry is checked byte for byte, padding included. */
static void
test_key_is_checked (void)
{
  const char *key = "test-cache-entries-key";
  g_autofree char *path = fb_cache_path (key);
  g_autofree char *contents = NULL;
  g_autoptr (GError) problem = NULL;
  guint8 *loaded;
  gsize length, size;
  const char *at;

  g_assert_true (fb_cache_store (key, (const guint8 *) "payload", 7, NULL));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  at = memmem (contents, length, key, strlen (key));
  g_assert_nonnull (at);
  contents[at - contents + strlen (key) + 3] = 'x';
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  g_assert_null (fb_cache_load_checked (key, &size, NULL, NULL, &problem));
  assert_message_has (problem->message, "another entry");
  g_clear_error (&problem);

  /* a missing entry is a plain miss, not a problem */
  g_unlink (path);
  g_assert_null (fb_cache_load_checked (key, &size, NULL, NULL, &problem));
  g_assert_no_error (problem);
  g_assert_true (fb_cache_store (key, (const guint8 *) "payload", 7, NULL));
  loaded = fb_cache_load_checked (key, &size, NULL, NULL, &problem);
  g_assert_no_error (problem);
  g_assert_cmpmem (loaded, size, "payload", 7);
  g_free (loaded);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cache-entries/damaged-entry-is-reported",
      test_damaged_entry_is_reported);
  g_test_add_func ("/cache-entries/other-styles-entry-is-refused",
      test_other_styles_entry_is_refused);
  g_test_add_func ("/cache-entries/key-is-checked", test_key_is_checked);
  return g_test_run ();
}
