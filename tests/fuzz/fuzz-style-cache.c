/* libFuzzer target: the payload of a style's cache entry (the seed tables and level
 * images that fb_style_new reads back instead of building them). The input is stored
 * as the entry of a small synthetic style, with a valid header and checksum, so that
 * every input reaches the deserialisation; a payload it refuses is rebuilt.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"
#include "fb-cache.h"
#include "fb-style.h"
#include "../fb-test-helpers.h"

#include <string.h>

/* One level (its face is under twice the smallest face wide), a small table. */
#define SIDE 72

static FbImage *exemplar;
static FbLandmarks landmarks;
static const FbStyleParams params = { FB_STYLE_DEFAULT_LAMBDA_POS,
  FB_STYLE_DEFAULT_LAMBDA_APP
};
static char *digest;

/* The style whose entry every input replaces, built (and cached) once. */
static void
prepare_style (void)
{
  g_autoptr (GError) error = NULL;
  FbStyle *style;

  exemplar = fb_test_random_image (SIDE, SIDE, 3, 8.0f, 1);
  fb_test_synthetic_landmarks (&landmarks, SIDE / 2.0f, SIDE / 2.0f, 0.5f);
  style = fb_style_new (exemplar, &landmarks, &params, &error);
  g_assert_no_error (error);
  digest = g_strdup (style->digest);
  fb_style_unref (style);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GError) error = NULL;
  FbStyle *style;
  int l;

  if (!digest)
    prepare_style ();
  if (!fb_cache_store (digest, data, size, &error))
    g_error ("cannot store the input as a cache entry: %s", error->message);
  style = fb_style_new (exemplar, &landmarks, &params, &error);
  g_assert_no_error (error);
  /* loaded or rebuilt, the style is whole and its tables point into its levels */
  g_assert_cmpint (style->n_levels, >=, 1);
  for (l = 0; l < style->n_levels; l++) {
    const FbStyleLevel *level = &style->levels[l];
    g_assert_nonnull (level->table);
    g_assert_true (fb_seed_table_entries_valid (level->table->entries,
            fb_seed_table_n_entries (level->table), level->rgb->width,
            level->rgb->height));
    g_assert_true (level->mask->width == level->rgb->width
        && level->guide->height == level->rgb->height);
  }
  fb_style_unref (style);
  return 0;
}
