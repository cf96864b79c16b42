/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-synthesis.h"

#include "fb-despeckle.h"
#include "fb-vectorised.h"

#include <math.h>
#include <string.h>

void
fb_seed_levels_clear (FbSeedLevels * seeds)
{
  int k;

  for (k = 0; k < FB_BLIT_MAX_LEVELS; k++) {
    g_free (seeds->levels[k].seed_xy);
    g_free (seeds->levels[k].seed_u);
    g_free (seeds->previous[k].seed_xy);
    g_free (seeds->previous[k].seed_u);
    g_free (seeds->previous_u[k]);
    g_free (seeds->nearest[k]);
  }
  memset (seeds, 0, sizeof (*seeds));
}

FbBlitStyle
fb_blit_style_from_level (const FbStyleLevel * level)
{
  FbBlitStyle s = {
    level->rgb->data, level->rgb->stride,
    level->guide->data, level->guide->stride,
    level->rgb_blurred->data, level->rgb_blurred->stride,
    level->rgb->width, level->rgb->height,
    level->table->entries, level->table->cols, level->table->rows,
    level->table->step, level->table->n_app,
  };
  return s;
}

typedef struct {
  const FbBlitStyle *style;
  const FbBlitTarget *target;
  FbSeedLevels *seeds;
  const FbSeedLevels *const_seeds;
  int32_t *nnf;
  float *settled;
  FbImage *out;
  int radius;
} SynthesisJob;

static void
seeds_job (void *data, int index, int count)
{
  SynthesisJob *job = data;
  int level = index + 1, i, j;
  const FbSeedLevel *l = &job->seeds->levels[level];

  for (j = 0; j < l->rows; j++)
    for (i = 0; i < l->cols; i++)
      fb_seed_cell_init (level, l, &job->seeds->previous[level],
          l->previous_u ? job->seeds->previous_u[level] : NULL, i, j);
}

/* Canonical pixels the nearest-seed maps cover beyond the region they are made for, so
 * that a face moving or turning a little keeps them. */
#define NEAREST_MARGIN 32

/* New nearest-seed maps, and the ones they replace. */
typedef struct {
  FbSeedLevels *seeds;
  uint8_t *old[FB_BLIT_MAX_LEVELS];
  int old_levels;
  int old_x0;
  int old_y0;
  int old_width;
  int old_height;
} NearestJob;

/* Map pixels [x0, x1) of row py, level k. */
static void
nearest_cells (uint8_t * row, int k, int x0, int x1, int origin_x, int py)
{
  int x;

  for (x = x0; x < x1; x++)
    row[x] = (uint8_t) fb_nearest_seed_cell (k, origin_x + x, py);
}

/* Rows of the new maps: what the old ones cover is copied, the rest computed, so that a
 * window that moves (a painted background follows the frame) costs what it uncovers. */
static void
nearest_job (void *data, int index, int count)
{
  NearestJob *job = data;
  FbSeedLevels *seeds = job->seeds;
  int width = seeds->nearest_width, x0 = seeds->nearest_x0, y0, y1, y, k;
  /* the columns of new rows that old rows cover */
  int keep0 = CLAMP (job->old_x0 - x0, 0, width);
  int keep1 = CLAMP (job->old_x0 + job->old_width - x0, keep0, width);

  fb_band_rows (seeds->nearest_height, index, count, &y0, &y1);
  for (k = 1; k < seeds->n_nearest_levels; k++)
    for (y = y0; y < y1; y++) {
      uint8_t *row = seeds->nearest[k] + (size_t) y * width;
      int py = seeds->nearest_y0 + y, old_y = py - job->old_y0;
      if (k >= job->old_levels || old_y < 0 || old_y >= job->old_height) {
        nearest_cells (row, k, 0, width, x0, py);
        continue;
      }
      nearest_cells (row, k, 0, keep0, x0, py);
      memcpy (row + keep0, job->old[k] + (size_t) old_y * job->old_width + x0 + keep0
          - job->old_x0, keep1 - keep0);
      nearest_cells (row, k, keep1, width, x0, py);
    }
}

/* Remakes the nearest-seed maps around the target region unless they cover it. */
static void
ensure_nearest_maps (FbWorkers * workers, const FbBlitTarget * target, int n_levels,
    FbSeedLevels * seeds)
{
  NearestJob job = { seeds, { NULL }, seeds->n_nearest_levels, seeds->nearest_x0,
    seeds->nearest_y0, seeds->nearest_width, seeds->nearest_height
  };
  int k;

  if (n_levels <= seeds->n_nearest_levels && target->x0 >= seeds->nearest_x0
      && target->y0 >= seeds->nearest_y0
      && target->x0 + target->width <= seeds->nearest_x0 + seeds->nearest_width
      && target->y0 + target->height <= seeds->nearest_y0 + seeds->nearest_height)
    return;
  seeds->n_nearest_levels = n_levels;
  seeds->nearest_x0 = target->x0 - NEAREST_MARGIN;
  seeds->nearest_y0 = target->y0 - NEAREST_MARGIN;
  seeds->nearest_width = target->width + 2 * NEAREST_MARGIN;
  seeds->nearest_height = target->height + 2 * NEAREST_MARGIN;
  for (k = 1; k < FB_BLIT_MAX_LEVELS; k++) {
    job.old[k] = seeds->nearest[k];
    seeds->nearest[k] = k < n_levels ? g_new (uint8_t,
        (size_t) seeds->nearest_width * seeds->nearest_height) : NULL;
  }
  fb_workers_run (workers, nearest_job, &job, fb_band_count (workers,
          seeds->nearest_height));
  for (k = 1; k < FB_BLIT_MAX_LEVELS; k++)
    g_free (job.old[k]);
}

/* This call's levels become the previous ones (swapped, not copied). */
static void
keep_as_previous (FbSeedLevels * seeds)
{
  int k;

  for (k = 1; k < seeds->n_levels; k++) {
    FbSeedLevel level = seeds->previous[k];
    size_t capacity = seeds->previous_capacity[k];
    seeds->previous[k] = seeds->levels[k];
    seeds->previous_capacity[k] = seeds->capacity[k];
    seeds->levels[k] = level;
    seeds->capacity[k] = capacity;
  }
  seeds->n_previous_levels = seeds->n_levels;
}

void
fb_synthesis_seeds (FbWorkers * workers, const FbBlitTarget * target, int n_levels,
    gboolean with_history, FbSeedLevels * seeds)
{
  SynthesisJob job = { NULL, target, seeds };
  int k;

  g_return_if_fail (n_levels >= 1 && n_levels <= FB_BLIT_MAX_LEVELS);
  keep_as_previous (seeds);
  ensure_nearest_maps (workers, target, n_levels, seeds);
  with_history = with_history && seeds->n_previous_levels == n_levels;
  seeds->n_levels = n_levels;
  for (k = 1; k < n_levels; k++) {
    FbSeedLevel *l = &seeds->levels[k];
    size_t cells;
    fb_seed_level_place (l, k, target);
    cells = (size_t) l->cols * l->rows;
    if (cells > seeds->capacity[k]) {
      l->seed_xy = g_renew (int32_t, l->seed_xy, 2 * cells);
      l->seed_u = g_renew (uint32_t, l->seed_u, cells);
      seeds->capacity[k] = cells;
    }
    l->nearest_stride = seeds->nearest_width;
    l->nearest = seeds->nearest[k] + (size_t) (target->y0 - seeds->nearest_y0)
        * seeds->nearest_width + target->x0 - seeds->nearest_x0;
    l->previous_u = NULL;
    if (with_history) {
      if (cells > seeds->previous_u_capacity[k]) {
        seeds->previous_u[k] = g_renew (uint32_t, seeds->previous_u[k], cells);
        seeds->previous_u_capacity[k] = cells;
      }
      l->previous_u = seeds->previous_u[k];
    }
  }
  fb_workers_run (workers, seeds_job, &job, n_levels - 1);
}

static void
nnf_job (void *data, int index, int count)
{
  SynthesisJob *job = data;
  const FbBlitTarget *t = job->target;
  int y0, y1, x, y;

  fb_band_rows (t->height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++)
    for (x = 0; x < t->width; x++)
      fb_nnf_entry (job->style, t, job->const_seeds->levels, job->const_seeds->n_levels,
          x, y, job->nnf, job->settled);
}

void
fb_synthesis_nnf (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const FbSeedLevels * seeds, int32_t * nnf,
    float *settled_out)
{
  SynthesisJob job = { style, target, NULL, seeds, nnf, settled_out };

  fb_workers_run (workers, nnf_job, &job, fb_band_count (workers, target->height));
}

typedef struct {
  const FbBlitStyle *style;
  const int32_t *in;
  int32_t *out;
  int width;
  int height;
} DespeckleJob;

/* fb_nnf_same_chunk of row y's inner entries, into same[1 .. width - 2]: compares of
 * whole rows, which the vectoriser takes 8 entries at a time */
FB_VECTORISED static void
same_chunk_row (const int32_t * nnf, int width, int y, int *same)
{
  const int32_t *row = nnf + (size_t) y * width;
  int x;

  for (x = 1; x < width - 1; x++)
    same[x] = fb_nnf_same_chunk (row + x, width);
}

/* fb_nnf_despeckled, row by row */
static void
despeckle_job (void *data, int index, int count)
{
  DespeckleJob *job = data;
  const int w = job->width, h = job->height;
  int *same = g_new (int, w), y0, y1, x, y;

  fb_band_rows (h, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    const int32_t *in = job->in + (size_t) y * w;
    int32_t *out = job->out + (size_t) y * w;
    if (y == 0 || y == h - 1 || w < 3) {
      memcpy (out, in, (size_t) w * sizeof (int32_t));
      continue;
    }
    same_chunk_row (job->in, w, y, same);
    out[0] = in[0];
    out[w - 1] = in[w - 1];
    for (x = 1; x < w - 1; x++)
      out[x] = fb_nnf_despeckled_at (in + x, w, job->style->width, job->style->height,
          same[x]);
  }
  g_free (same);
}

void
fb_synthesis_despeckle (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, int32_t * nnf, int32_t * scratch)
{
  DespeckleJob job = { style, nnf, scratch, target->width, target->height };
  int pass;

  /* back and forth: an even number of passes ends in nnf */
  G_STATIC_ASSERT (FB_DESPECKLE_PASSES % 2 == 0);
  for (pass = 0; pass < FB_DESPECKLE_PASSES; pass++) {
    fb_workers_run (workers, despeckle_job, &job, fb_band_count (workers, job.height));
    job.in = job.out;
    job.out = job.out == scratch ? nnf : scratch;
  }
}

static void
vote_job (void *data, int index, int count)
{
  SynthesisJob *job = data;
  int y0, y1, x, y;

  fb_band_rows (job->target->height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *row = fb_image_row (job->out, y);
    for (x = 0; x < job->target->width; x++)
      fb_vote_entry (job->style, job->target, job->nnf, x, y, job->radius, row + 3 * x);
  }
}

void
fb_synthesis_vote (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const int32_t * nnf, int voting, FbImage * out)
{
  SynthesisJob job = { style, target, NULL, NULL, (int32_t *) nnf, NULL, out, voting / 2 };

  g_return_if_fail (out->width == target->width && out->height == target->height
      && out->channels == 3);
  fb_workers_run (workers, vote_job, &job, fb_band_count (workers, target->height));
}

/* 8 lanes of 16 bits: one row of a block, 2 pixels x 3 channels (lanes 6, 7 unused). */
typedef uint16_t BlockRow __attribute__ ((vector_size (16)));
typedef uint8_t BlockRowBytes __attribute__ ((vector_size (8)));

/* Pixels are gathered in a 64-bit integer (first byte lowest) rather than in memory: a
 * vector loaded from bytes just stored costs a store-forwarding stall per read. */
static inline uint64_t
pixel_bits (const uint8_t * p)
{
  uint16_t first;

  memcpy (&first, p, 2);
  return GUINT16_FROM_LE (first) | (uint64_t) p[2] << 16;
}

static inline BlockRow
block_row (uint64_t bits)
{
  return __builtin_convertvector ((BlockRowBytes) GUINT64_TO_LE (bits), BlockRow);
}

/* The two pixels at p; or pixel `left` then pixel `right`. */
static inline BlockRow
block_pair (const uint8_t * p)
{
  uint32_t first;
  uint16_t rest;

  memcpy (&first, p, 4);
  memcpy (&rest, p + 4, 2);
  return block_row (GUINT32_FROM_LE (first) | (uint64_t) GUINT16_FROM_LE (rest) << 32);
}

static inline BlockRow
block_sides (const uint8_t * left, const uint8_t * right)
{
  return block_row (pixel_bits (left) | pixel_bits (right) << 24);
}

static inline void
block_store (BlockRow sum, uint8_t * out)
{
  /* fb_rounded_mean (sum, 9) */
  BlockRowBytes b = __builtin_convertvector ((sum + 4) / 9, BlockRowBytes);

  memcpy (out, &b, 6);
}

/* fb_vote_upsampled_seam for an FB_BLOCK_SEAM block, a row of the block at a time:
 * the 16 reads it makes, by cell, are the centre's 2 x 2 pixels (weight 4), two pixels
 * of each edge neighbour (2) and one of each corner (1). */
static void
vote_seam_rows (int stride, const uint8_t * const *base, uint8_t * row0, uint8_t * row1)
{
  BlockRow sum0 = 4 * block_pair (base[4])
      + 2 * block_pair (base[1] + 2 * stride)
      + 2 * block_sides (base[3] + 6, base[5] - 3)
      + block_sides (base[0] + 2 * stride + 6, base[2] + 2 * stride - 3);
  BlockRow sum1 = 4 * block_pair (base[4] + stride)
      + 2 * block_pair (base[7] - stride)
      + 2 * block_sides (base[3] + stride + 6, base[5] + stride - 3)
      + block_sides (base[6] - stride + 6, base[8] - stride - 3);

  block_store (sum0, row0);
  block_store (sum1, row1);
}

/* Bands of coarse rows; each coarse cell's 2 x 2 fine pixels at once, seams in vector
 * lanes. */
static void
vote_upsampled_job (void *data, int index, int count)
{
  SynthesisJob *job = data;
  const FbBlitStyle *s = job->style;
  int coarse_width = job->target->width >> 1, coarse_height = job->target->height >> 1;
  int q0, q1, qx, qy;

  fb_band_rows (coarse_height, index, count, &q0, &q1);
  for (qy = q0; qy < q1; qy++) {
    uint8_t *row0 = fb_image_row (job->out, 2 * qy), *row1 = fb_image_row (job->out,
        2 * qy + 1);
    for (qx = 0; qx < coarse_width; qx++) {
      int32_t cells[9];
      const uint8_t *base[9];
      if (fb_vote_upsampled_cell (s, job->target, job->nnf, job->radius, qx, qy,
              row0 + 6 * qx, row1 + 6 * qx, cells, base))
        vote_seam_rows (s->rgb_stride, base, row0 + 6 * qx, row1 + 6 * qx);
    }
  }
}

void
fb_synthesis_vote_upsampled (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const int32_t * coarse, int voting, FbImage * out)
{
  SynthesisJob job = { style, target, NULL, NULL, (int32_t *) coarse, NULL, out,
    voting / 2
  };

  g_return_if_fail (out->width == target->width && out->height == target->height
      && out->channels == 3 && target->width % 2 == 0 && target->height % 2 == 0);
  fb_workers_run (workers, vote_upsampled_job, &job,
      fb_band_count (workers, target->height / 2));
}
