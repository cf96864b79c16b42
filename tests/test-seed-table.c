/* The seed table built by distance transforms against a brute-force minimum.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "fb-seed-table.h"
#include "fb-test-helpers.h"

typedef struct {
  int width, height, step;
  float lambda_pos_px, lambda_app;
} Case;

static inline float
entry_cost (const FbImage * guide, uint32_t u, int px, int py, float app,
    float lambda_pos_px, float lambda_app)
{
  int ux = FB_PIXEL_X (u), uy = FB_PIXEL_Y (u);
  return lambda_pos_px * (abs (ux - px) + abs (uy - py))
      + lambda_app * fabsf (fb_image_row (guide, uy)[ux] - app);
}

/* Every entry's cost equals the smallest cost over all style pixels. Costs, not
 * indices, are compared: several pixels may tie. */
static void
check_exact (const Case * c, guint32 seed)
{
  g_autoptr (FbImage) guide = fb_test_random_image (c->width, c->height, 1, 3.0f, seed);
  const int n_app = 32, n = c->width * c->height;
  FbSeedTable *table = fb_seed_table_build (guide, c->step, n_app, c->lambda_pos_px,
      c->lambda_app);
  int bin, row, col;
  uint32_t u;

  g_assert_nonnull (table);
  g_assert_cmpint (table->width, ==, c->width);
  g_assert_cmpint (table->height, ==, c->height);
  g_assert_cmpint (table->cols, ==, (c->width + c->step - 1) / c->step);
  g_assert_cmpint (table->rows, ==, (c->height + c->step - 1) / c->step);
  g_assert_cmpuint (fb_seed_table_n_entries (table), ==,
      (gsize) n_app * table->rows * table->cols);

  for (bin = 0; bin < n_app; bin++) {
    float app = (bin + 0.5f) * 256.0f / n_app;
    for (row = 0; row < table->rows; row++)
      for (col = 0; col < table->cols; col++) {
        int px = col * c->step, py = row * c->step;
        uint32_t entry = table->entries[((gsize) bin * table->rows + row) * table->cols
            + col];
        float best = G_MAXFLOAT, got;
        g_assert_cmpint (FB_PIXEL_X (entry), <, c->width);
        g_assert_cmpint (FB_PIXEL_Y (entry), <, c->height);
        for (u = 0; u < (uint32_t) n; u++)
          best = MIN (best, entry_cost (guide, FB_PIXEL_PACK (u % c->width, u / c->width),
                  px, py, app, c->lambda_pos_px, c->lambda_app));
        got = entry_cost (guide, entry, px, py, app, c->lambda_pos_px, c->lambda_app);
        if (fabsf (got - best) > 1e-3f * MAX (1.0f, best))
          g_error ("%dx%d step %d lambdas %g/%g: bin %d cell (%d, %d): entry cost %g, "
              "best %g", c->width, c->height, c->step, c->lambda_pos_px, c->lambda_app,
              bin, col, row, got, best);
      }
  }
  fb_seed_table_free (table);
}

static void
test_exact_small (void)
{
  const Case cases[] = {
    {37, 29, 1, 1.0f, 1.0f},
    {37, 29, 2, 3.3f, 2.0f},
    {37, 29, 1, 0.2f, 2.0f},
    {37, 29, 2, 10.0f, 0.5f},
    {64, 48, 1, 3.3f, 2.0f},
    {64, 48, 2, 0.5f, 1.2f},
    {64, 48, 2, 25.0f, 1.0f},
  };
  int i;

  for (i = 0; i < (int) G_N_ELEMENTS (cases); i++)
    check_exact (&cases[i], 11 + i);
}

/* Large enough to be built by several threads. */
static void
test_exact_threaded (void)
{
  const Case c = { 90, 70, 2, 2.0f, 1.5f };
  check_exact (&c, 5);
}

static void
test_degenerate_lambdas (void)
{
  g_autoptr (FbImage) guide = fb_test_random_image (30, 20, 1, 3.0f, 2);
  FbSeedTable *table;
  int bin, row, col;

  /* no appearance weight: every cell's best pixel is itself */
  table = fb_seed_table_build (guide, 1, 8, 2.0f, 0.0f);
  for (bin = 0; bin < 8; bin++)
    for (row = 0; row < 20; row++)
      for (col = 0; col < 30; col++)
        g_assert_cmpuint (table->entries[(bin * 20 + row) * 30 + col], ==,
            (guint) FB_PIXEL_PACK (col, row));
  fb_seed_table_free (table);

  /* no positional weight: every cell of a bin takes a pixel closest to its centre */
  table = fb_seed_table_build (guide, 2, 8, 0.0f, 1.0f);
  for (bin = 0; bin < 8; bin++) {
    float app = (bin + 0.5f) * 32, best = G_MAXFLOAT;
    int x, y;
    for (y = 0; y < 20; y++)
      for (x = 0; x < 30; x++)
        best = MIN (best, fabsf (fb_image_row (guide, y)[x] - app));
    for (row = 0; row < table->rows; row++)
      for (col = 0; col < table->cols; col++) {
        uint32_t u = table->entries[(bin * table->rows + row) * table->cols + col];
        g_assert_cmpfloat (fabsf (fb_image_row (guide, FB_PIXEL_Y (u))[FB_PIXEL_X (u)] - app),
            ==, best);
      }
  }
  fb_seed_table_free (table);
}

static void
test_deterministic_and_lookup (void)
{
  g_autoptr (FbImage) guide = fb_test_random_image (101, 83, 1, 4.0f, 8);
  FbSeedTable *a = fb_seed_table_build (guide, 2, 32, 1.0f, 2.0f);
  FbSeedTable *b = fb_seed_table_build (guide, 2, 32, 1.0f, 2.0f);
  int cell_x, cell_y;

  g_assert_cmpmem (a->entries, fb_seed_table_n_entries (a) * 4, b->entries,
      fb_seed_table_n_entries (b) * 4);
  /* (x, y) goes to the nearest cell, clamped; app to its bin */
  g_assert_cmpuint (fb_seed_table_lookup (a->entries, a->cols, a->rows, a->step,
          a->n_app, 10.9f, 7.1f, 200, &cell_x, &cell_y), ==,
      a->entries[((200 * 32 / 256) * a->rows + 4) * a->cols + 5]);
  g_assert_cmpint (cell_x, ==, 5 * a->step);
  g_assert_cmpint (cell_y, ==, 4 * a->step);
  g_assert_cmpuint (fb_seed_table_lookup (a->entries, a->cols, a->rows, a->step,
          a->n_app, -5.0f, 500.0f, 0, &cell_x, &cell_y), ==,
      a->entries[(a->rows - 1) * a->cols]);
  g_assert_cmpint (cell_x, ==, 0);
  g_assert_cmpint (cell_y, ==, (a->rows - 1) * a->step);
  g_assert_cmpuint (fb_seed_table_lookup (a->entries, a->cols, a->rows, a->step,
          a->n_app, 1000.0f, 0.0f, 255, NULL, NULL), ==,
      a->entries[(31 * a->rows + 0) * a->cols + a->cols - 1]);
  fb_seed_table_free (a);
  fb_seed_table_free (b);
}

/* A table read back from bytes (a cache payload) is the same table, and bytes that
 * do not hold a valid one are refused. */
static void
test_from_bytes (void)
{
  g_autoptr (FbImage) guide = fb_test_random_image (45, 31, 1, 4.0f, 6);
  FbSeedTable *built = fb_seed_table_build (guide, 2, 16, 1.5f, 2.0f), *loaded;
  gsize n = fb_seed_table_n_entries (built), bytes_size = 8 + n * 4;
  guint8 *data = g_malloc0 (bytes_size);
  GBytes *bytes;

  memcpy (data + 8, built->entries, n * 4);
  bytes = g_bytes_new_take (data, bytes_size);
  loaded = fb_seed_table_new_from_bytes (bytes, 8, 45, 31, 2, 16);
  g_assert_nonnull (loaded);
  g_assert_true (loaded->storage == bytes);
  g_assert_cmpint (loaded->cols, ==, built->cols);
  g_assert_cmpint (loaded->rows, ==, built->rows);
  g_assert_cmpmem (loaded->entries, n * 4, built->entries, n * 4);
  fb_seed_table_free (loaded);

  /* too short, misaligned, or a geometry that does not fit */
  g_assert_null (fb_seed_table_new_from_bytes (bytes, 12, 45, 31, 2, 16));
  g_assert_null (fb_seed_table_new_from_bytes (bytes, 10, 45, 31, 2, 16));
  g_assert_null (fb_seed_table_new_from_bytes (bytes, 8, 45, 31, 1, 16));
  /* an entry outside the level: the table uses pixels of the last two rows, which a
   * 45 x 29 level does not have */
  {
    int max_y = 0;
    gsize i;
    for (i = 0; i < n; i++)
      max_y = MAX (max_y, FB_PIXEL_Y (built->entries[i]));
    g_assert_cmpint (max_y, >=, 29);
  }
  g_assert_null (fb_seed_table_new_from_bytes (bytes, 8, 45, 29, 2, 16));
  g_bytes_unref (bytes);
  fb_seed_table_free (built);
}

/* The size of a real exemplar's levels: reports the time (not asserted: machines vary). */
static void
test_timing (void)
{
  g_autoptr (FbImage) guide = fb_test_random_image (768, 1024, 1, 6.0f, 4);
  g_autoptr (FbImage) half = fb_image_downscale_2x (guide);
  g_autoptr (FbImage) quarter = fb_image_downscale_2x (half);
  gint64 start = g_get_monotonic_time ();
  FbSeedTable *t0 = fb_seed_table_build (guide, 2, 32, 3.3f, 2.0f);
  FbSeedTable *t1 = fb_seed_table_build (half, 1, 32, 6.6f, 2.0f);
  FbSeedTable *t2 = fb_seed_table_build (quarter, 1, 32, 13.2f, 2.0f);

  g_test_message ("seed tables of a 768x1024 exemplar (3 levels): %.1f ms",
      (g_get_monotonic_time () - start) / 1000.0);
  fb_seed_table_free (t0);
  fb_seed_table_free (t1);
  fb_seed_table_free (t2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/seed-table/exact-small", test_exact_small);
  g_test_add_func ("/seed-table/exact-threaded", test_exact_threaded);
  g_test_add_func ("/seed-table/degenerate-lambdas", test_degenerate_lambdas);
  g_test_add_func ("/seed-table/deterministic-and-lookup", test_deterministic_and_lookup);
  g_test_add_func ("/seed-table/from-bytes", test_from_bytes);
  g_test_add_func ("/seed-table/timing", test_timing);
  return g_test_run ();
}
