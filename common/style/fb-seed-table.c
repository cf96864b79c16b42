/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-seed-table.h"

#include <string.h>

/* For one appearance bin the table is the argmin of a weighted L1 distance transform:
 *   D(p) = min_u  cost(u) + lambda_pos * |u - p|_1,  cost(u) = lambda_app * |G(u) - a|.
 * The L1 metric makes it separable, and each 1-D transform is exact with a forward and
 * a backward pass carrying the argmin. Along columns both passes keep only a running
 * row (vectorised across x) and keep the result only on the rows the table samples.
 * As soon as the upward pass has finished BLOCK_ROWS such rows, they are transposed
 * into a block (x-major) so that the transform along them is vectorised across rows,
 * and the table cells are read off. Memory traffic stays near the guide's own size. */

#define BLOCK_ROWS 16

typedef struct {
  const FbImage *guide;
  FbSeedTable *table;
  float lambda_pos;
  float lambda_app;
  GCancellable *cancellable;
  gint next_bin;                /* atomic: the next bin a worker takes */
} BuildJob;

/* Per-thread buffers. */
typedef struct {
  float *run_d;                 /* [width]: the running column transform */
  uint32_t *run_a;
  float *down_d;                /* [table rows][width]: the downward pass, kept rows */
  uint32_t *down_a;
  float *block_d;               /* [width][BLOCK_ROWS]: kept rows being finished */
  uint32_t *block_a;
  int block_rows[BLOCK_ROWS];   /* the table row of each lane */
} Scratch;

/* One step of a running 1-D transform along columns: each pixel's own cost against
 * the running value moved by one pixel. Written with masks so that it compiles to
 * vector compares and blends. Ties keep the running value. */
static inline void
column_step (float *restrict run_d, uint32_t * restrict run_a, const uint8_t * g, int n,
    uint32_t first_index, float centre, float lambda_app, float lp, gboolean first)
{
  int x;

  if (first) {
    for (x = 0; x < n; x++) {
      run_d[x] = lambda_app * fabsf ((float) g[x] - centre);
      run_a[x] = first_index | (uint32_t) x;
    }
    return;
  }
  for (x = 0; x < n; x++) {
    float own = lambda_app * fabsf ((float) g[x] - centre), moved = run_d[x] + lp;
    uint32_t take = -(uint32_t) (own < moved);
    run_d[x] = own < moved ? own : moved;
    run_a[x] = ((first_index | (uint32_t) x) & take) | (run_a[x] & ~take);
  }
}

/* d, a := the better of themselves (the downward pass) and the upward pass. Masks, not
 * branches: which one wins is unpredictable. */
static inline void
merge_row (float *restrict d, uint32_t * restrict a, const float *restrict up_d,
    const uint32_t * restrict up_a, int w)
{
  int x;

  for (x = 0; x < w; x++) {
    float up = up_d[x], down = d[x];
    uint32_t take = -(uint32_t) (up < down);
    d[x] = up < down ? up : down;
    a[x] = (up_a[x] & take) | (a[x] & ~take);
  }
}

/* Copies the n pending kept rows into the lanes of the block, tile by tile so that
 * every write fills whole cache lines. */
static void
fill_block (Scratch * s, int n, int w)
{
  int x0, x, k;

  for (x0 = 0; x0 < w; x0 += BLOCK_ROWS) {
    int x1 = MIN (x0 + BLOCK_ROWS, w);
    for (k = 0; k < n; k++) {
      const float *row_d = s->down_d + (size_t) s->block_rows[k] * w;
      const uint32_t *row_a = s->down_a + (size_t) s->block_rows[k] * w;
      for (x = x0; x < x1; x++) {
        s->block_d[x * BLOCK_ROWS + k] = row_d[x];
        s->block_a[x * BLOCK_ROWS + k] = row_a[x];
      }
    }
  }
}

/* Transforms the block along its rows and writes the cells of its first n lanes.
 * The running lanes live in small arrays the compiler keeps in vector registers. */
static void
finish_block (const FbSeedTable * t, uint32_t * out, Scratch * s, int n, float lp)
{
  const int w = t->width, step = t->step, cols = t->cols;
  float *restrict d = s->block_d, run_d[BLOCK_ROWS];
  uint32_t *restrict a = s->block_a, run_a[BLOCK_ROWS];
  int x, k, col;

  fill_block (s, n, w);
  memcpy (run_d, d, sizeof run_d);
  memcpy (run_a, a, sizeof run_a);
  for (x = 1; x < w; x++) {
    float *dx = d + x * BLOCK_ROWS;
    uint32_t *ax = a + x * BLOCK_ROWS;
    for (k = 0; k < BLOCK_ROWS; k++) {
      float moved = run_d[k] + lp, v = dx[k];
      uint32_t take = -(uint32_t) (moved < v);
      run_d[k] = moved < v ? moved : v;
      run_a[k] = (run_a[k] & take) | (ax[k] & ~take);
      dx[k] = run_d[k];
      ax[k] = run_a[k];
    }
  }
  for (x = w - 2; x >= 0; x--) {
    float *dx = d + x * BLOCK_ROWS;
    uint32_t *ax = a + x * BLOCK_ROWS;
    for (k = 0; k < BLOCK_ROWS; k++) {
      float moved = run_d[k] + lp, v = dx[k];
      uint32_t take = -(uint32_t) (moved < v);
      run_d[k] = moved < v ? moved : v;
      run_a[k] = (run_a[k] & take) | (ax[k] & ~take);
      ax[k] = run_a[k];
    }
  }
  for (col = 0; col < cols; col++) {
    const uint32_t *lanes = a + (size_t) col * step * BLOCK_ROWS;
    for (k = 0; k < n; k++)
      out[(size_t) s->block_rows[k] * cols + col] = lanes[k];
  }
}

static void
transform_bin (BuildJob * job, int bin, Scratch * s)
{
  const FbImage *guide = job->guide;
  const FbSeedTable *t = job->table;
  const int w = guide->width, h = guide->height, step = t->step;
  const float lp = job->lambda_pos, la = job->lambda_app;
  const float centre = (bin + 0.5f) * 256.0f / t->n_app;
  uint32_t *out = t->entries + (size_t) bin * t->rows * t->cols;
  int n_lanes = 0, y;

  for (y = 0; y < h; y++) {
    column_step (s->run_d, s->run_a, fb_image_row (guide, y), w, FB_PIXEL_PACK (0, y),
        centre, la, lp, y == 0);
    if (y % step == 0) {
      memcpy (s->down_d + (size_t) (y / step) * w, s->run_d, w * sizeof (float));
      memcpy (s->down_a + (size_t) (y / step) * w, s->run_a, w * sizeof (uint32_t));
    }
  }
  for (y = h - 1; y >= 0; y--) {
    column_step (s->run_d, s->run_a, fb_image_row (guide, y), w, FB_PIXEL_PACK (0, y),
        centre, la, lp, y == h - 1);
    if (y % step != 0)
      continue;
    merge_row (s->down_d + (size_t) (y / step) * w, s->down_a + (size_t) (y / step) * w,
        s->run_d, s->run_a, w);
    s->block_rows[n_lanes++] = y / step;
    if (n_lanes == BLOCK_ROWS) {
      finish_block (t, out, s, n_lanes, lp);
      n_lanes = 0;
    }
  }
  if (n_lanes > 0)
    finish_block (t, out, s, n_lanes, lp);
}

static gpointer
build_worker (gpointer data)
{
  BuildJob *job = data;
  gsize w = job->guide->width, rows = job->table->rows;
  Scratch s;
  int bin;

  s.run_d = g_new (float, w);
  s.run_a = g_new (uint32_t, w);
  s.down_d = g_new (float, w * rows);
  s.down_a = g_new (uint32_t, w * rows);
  /* lanes a last, partial block leaves unused must hold numbers, whatever they are */
  s.block_d = g_new0 (float, w * BLOCK_ROWS);
  s.block_a = g_new0 (uint32_t, w * BLOCK_ROWS);
  /* a bin takes at most a few tens of milliseconds: checked between them, a
   * cancellation is seen soon enough */
  while ((bin = g_atomic_int_add (&job->next_bin, 1)) < job->table->n_app
      && !g_cancellable_is_cancelled (job->cancellable))
    transform_bin (job, bin, &s);
  g_free (s.block_a);
  g_free (s.block_d);
  g_free (s.down_a);
  g_free (s.down_d);
  g_free (s.run_a);
  g_free (s.run_d);
  return NULL;
}

static FbSeedTable *
table_new (int width, int height, int step, int n_app)
{
  FbSeedTable *table = g_new0 (FbSeedTable, 1);

  table->width = width;
  table->height = height;
  table->step = step;
  table->cols = (width + step - 1) / step;
  table->rows = (height + step - 1) / step;
  table->n_app = n_app;
  return table;
}

/* No early exit: the loop compiles to vector compares, and a valid table (the common
 * case) is read to its end anyway; per block so that a damaged one is not read in full. */
gboolean
fb_seed_table_entries_valid (const uint32_t * entries, gsize n, int width, int height)
{
  const uint32_t w = (uint32_t) width, h = (uint32_t) height;
  gsize start, i;

  for (start = 0; start < n; start += 4096) {
    const gsize end = MIN (start + 4096, n);
    uint32_t outside = 0;
    for (i = start; i < end; i++)
      outside |= ((entries[i] & 0xFFFFu) >= w) | ((entries[i] >> 16) >= h);
    if (outside)
      return FALSE;
  }
  return TRUE;
}

static FbSeedTable *
table_from_bytes (GBytes * bytes, gsize offset, int width, int height, int step,
    int n_app, gboolean check_entries)
{
  FbSeedTable *table;
  const uint8_t *data;
  const uint32_t *entries;
  gsize size, n;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && step > 0 && n_app > 0, NULL);
  table = table_new (width, height, step, n_app);
  n = fb_seed_table_n_entries (table);
  data = g_bytes_get_data (bytes, &size);
  if (offset > size || (size - offset) / sizeof (uint32_t) < n
      || ((guintptr) (data + offset)) % G_ALIGNOF (uint32_t) != 0)
    goto invalid;
  entries = (const uint32_t *) (data + offset);
  if (check_entries && !fb_seed_table_entries_valid (entries, n, width, height))
    goto invalid;
  table->entries = (uint32_t *) entries;
  table->storage = g_bytes_ref (bytes);
  return table;

invalid:
  g_free (table);
  return NULL;
}

FbSeedTable *
fb_seed_table_new_from_bytes (GBytes * bytes, gsize offset, int width, int height,
    int step, int n_app)
{
  return table_from_bytes (bytes, offset, width, height, step, n_app, TRUE);
}

FbSeedTable *
fb_seed_table_new_from_checked_bytes (GBytes * bytes, gsize offset, int width,
    int height, int step, int n_app)
{
  return table_from_bytes (bytes, offset, width, height, step, n_app, FALSE);
}

#define MAX_BUILD_THREADS 16

/* Bins are independent; a thread per core, the caller's included, takes them in turn.
 * Small levels are not worth a thread. */
static int
build_threads (int width, int height, int n_app)
{
  int n_threads = CLAMP ((int) g_get_num_processors (), 1, MAX_BUILD_THREADS);

  n_threads = MIN (n_threads, n_app);
  return (gsize) width * height < 64 * 64 ? 1 : n_threads;
}

guint64
fb_seed_table_build_bytes (int width, int height, int step, int n_app)
{
  const FbSeedTable geometry = { width, height, step, (width + step - 1) / step,
    (height + step - 1) / step, n_app, NULL, NULL
  };
  /* build_worker's Scratch: floats and indices, 4 bytes each */
  const guint64 scratch = (guint64) width * (1 + geometry.rows + BLOCK_ROWS) * 2 * 4;

  return fb_seed_table_n_entries (&geometry) * sizeof (uint32_t)
      + scratch * build_threads (width, height, n_app);
}

FbSeedTable *
fb_seed_table_build (const FbImage * guide, int step, int n_app, float lambda_pos_px,
    float lambda_app)
{
  return fb_seed_table_build_cancellable (guide, step, n_app, lambda_pos_px, lambda_app,
      NULL);
}

FbSeedTable *
fb_seed_table_build_cancellable (const FbImage * guide, int step, int n_app,
    float lambda_pos_px, float lambda_app, GCancellable * cancellable)
{
  BuildJob job = { guide, NULL, lambda_pos_px, lambda_app, cancellable, 0 };
  GThread *threads[MAX_BUILD_THREADS];
  int n_threads, i;

  g_return_val_if_fail (guide->channels == 1, NULL);
  g_return_val_if_fail (lambda_pos_px >= 0 && lambda_app >= 0, NULL);
  g_return_val_if_fail (step > 0 && n_app > 0, NULL);
  job.table = table_new (guide->width, guide->height, step, n_app);
  job.table->entries = g_new (uint32_t, fb_seed_table_n_entries (job.table));

  n_threads = build_threads (guide->width, guide->height, n_app);
  for (i = 1; i < n_threads; i++)
    threads[i] = g_thread_new ("fb-seed-table", build_worker, &job);
  build_worker (&job);
  for (i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);
  if (g_cancellable_is_cancelled (cancellable)) {
    fb_seed_table_free (job.table);
    return NULL;
  }
  return job.table;
}

void
fb_seed_table_free (FbSeedTable * table)
{
  if (!table)
    return;
  if (table->storage)
    g_bytes_unref (table->storage);
  else
    g_free (table->entries);
  g_free (table);
}

gsize
fb_seed_table_n_entries (const FbSeedTable * table)
{
  return (gsize) table->n_app * table->rows * table->cols;
}
