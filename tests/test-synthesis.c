/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "fb-guide.h"
#include "fb-synthesis.h"
#include "fb-test-helpers.h"

typedef struct {
  FbImage *rgb;
  FbImage *luma;
  FbImage *guide;
  FbImage *blurred;
  FbSeedTable *table;
  FbBlitStyle style;
} StyleFixture;

static void
style_fixture_init (StyleFixture * f, int w, int h, guint32 seed)
{
  f->rgb = fb_test_random_image (w, h, 3, 5.0f, seed);
  f->luma = fb_image_new (w, h, 1);
  f->guide = NULL;
  f->blurred = NULL;
  fb_image_rgb_to_luma (f->rgb, f->luma);
  fb_appearance_guide (f->luma, 3.0f, &f->guide);
  fb_blur (f->rgb, &f->blurred, 2.0f);
  f->table = fb_seed_table_build (f->guide, 1, 32, 2.5f, 2.0f);
  f->style = (FbBlitStyle) {
  f->rgb->data, f->rgb->stride, f->guide->data, f->guide->stride,
        f->blurred->data, f->blurred->stride, w, h, f->table->entries,
        f->table->cols, f->table->rows, f->table->step, f->table->n_app};
}

static void
style_fixture_clear (StyleFixture * f)
{
  fb_image_free (f->rgb);
  fb_image_free (f->luma);
  fb_image_free (f->guide);
  fb_image_free (f->blurred);
  fb_seed_table_free (f->table);
}

/* Target whose positional guide is the style shifted by (sx, sy) and whose appearance
 * guide is the style's at that place. */
static FbBlitTarget
shifted_target (const StyleFixture * f, int sx, int sy, float **pos, uint8_t ** app)
{
  int w = f->rgb->width, h = f->rgb->height, x, y;
  FbBlitTarget t = { .width = w, .height = h };

  *pos = g_new (float, 2 * w * h);
  *app = g_new (uint8_t, w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      int ux = CLAMP (x + sx, 0, w - 1), uy = CLAMP (y + sy, 0, h - 1);
      (*pos)[2 * (y * w + x)] = x + sx;
      (*pos)[2 * (y * w + x) + 1] = y + sy;
      (*app)[y * w + x] = fb_image_row (f->guide, uy)[ux];
    }
  t.pos = *pos;
  t.app = *app;
  t.lambda_pos = 2.5f;
  t.lambda_app = 2.0f;
  t.threshold = 50.0f;
  return t;
}

/* The NNF of target t (g_free): seeds of n_levels levels, then the synthesis. */
static int32_t *
synthesize (FbWorkers * workers, const StyleFixture * f, const FbBlitTarget * t,
    int n_levels)
{
  FbSeedLevels seeds = { 0 };
  int32_t *nnf = g_new (int32_t, t->width * t->height);

  fb_synthesis_seeds (workers, t, n_levels, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f->style, t, &seeds, nnf, NULL);
  fb_seed_levels_clear (&seeds);
  return nnf;
}

static void
test_self_reconstruction (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  float *pos;
  uint8_t *app;
  FbBlitTarget t;
  int32_t *nnf;
  FbImage *out;
  int w = 96, h = 80, identity = 0, i, y;

  style_fixture_init (&f, w, h, 3);
  t = shifted_target (&f, 0, 0, &pos, &app);
  nnf = synthesize (workers, &f, &t, 6);
  for (i = 0; i < w * h; i++)
    identity += nnf[i] == (int32_t) FB_PIXEL_PACK (i % w, i / w);
  g_assert_cmpint (identity, >=, w * h * 99 / 100);

  /* and voting then reproduces the exemplar */
  out = fb_image_new (w, h, 3);
  fb_synthesis_vote (workers, &f.style, &t, nnf, 3, out);
  for (y = 0; y < h; y++)
    g_assert_cmpmem (fb_image_row (out, y), w * 3, fb_image_row (f.rgb, y), w * 3);

  fb_image_free (out);
  g_free (nnf);
  g_free (pos);
  g_free (app);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* A shifted target takes large coherent chunks of the shifted exemplar. */
static void
test_shift_is_coherent (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  float *pos;
  uint8_t *app;
  FbBlitTarget t;
  int32_t *nnf;
  int w = 96, h = 80, right = 0, inside = 0, x, y;

  style_fixture_init (&f, w, h, 5);
  t = shifted_target (&f, 7, -4, &pos, &app);
  nnf = synthesize (workers, &f, &t, 6);
  for (y = 8; y < h - 8; y++)
    for (x = 8; x < w - 16; x++) {
      int o = nnf[y * w + x];
      inside++;
      right += FB_PIXEL_X (o) == x + 7 && FB_PIXEL_Y (o) == y - 4;
    }
  g_assert_cmpint (right, >=, inside * 95 / 100);
  g_free (nnf);
  g_free (pos);
  g_free (app);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* Whatever the guides say, every NNF entry is a pixel of the exemplar, and voting 1 is
 * a pure copy of those pixels. */
static void
test_random_target_stays_inside_and_voting_one_copies (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (3);
  GRand *rand = g_rand_new_with_seed (11);
  int w = 64, h = 48, tw = 70, th = 50, x, y, i;
  float *pos = g_new (float, 2 * tw * th);
  uint8_t *app = g_new (uint8_t, tw * th);
  int32_t *nnf;
  FbBlitTarget t = { .x0 = -13, .y0 = 21, .width = tw, .height = th, .pos = pos,
    .app = app, .lambda_pos = 3.0f, .lambda_app = 2.0f, .threshold = 40.0f
  };
  FbImage *out = fb_image_new (tw, th, 3);

  style_fixture_init (&f, w, h, 9);
  for (i = 0; i < tw * th; i++) {
    pos[2 * i] = g_rand_double_range (rand, -20, w + 20);
    pos[2 * i + 1] = g_rand_double_range (rand, -20, h + 20);
    app[i] = g_rand_int_range (rand, 0, 256);
  }
  nnf = synthesize (workers, &f, &t, 5);
  for (i = 0; i < tw * th; i++)
    g_assert_true (FB_PIXEL_X (nnf[i]) < w && FB_PIXEL_Y (nnf[i]) < h);
  fb_synthesis_vote (workers, &f.style, &t, nnf, 1, out);
  for (y = 0; y < th; y++)
    for (x = 0; x < tw; x++) {
      int o = nnf[y * tw + x];
      g_assert_cmpmem (fb_image_row (out, y) + 3 * x, 3,
          fb_image_row (f.rgb, FB_PIXEL_Y (o)) + 3 * FB_PIXEL_X (o), 3);
    }
  fb_image_free (out);
  g_free (nnf);
  g_free (pos);
  g_free (app);
  g_rand_free (rand);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* Pixels whose NNF entry differs between a and b. */
static int
nnf_changes (const int32_t * a, const int32_t * b, int n)
{
  int changed = 0, i;

  for (i = 0; i < n; i++)
    changed += a[i] != b[i];
  return changed;
}

/* Seeds keep what they took in the previous frame while their guides accept it, and
 * so do pixels no seed fits: when the appearance guide changes a little (noise), the
 * NNF changes far less with history than when it is drawn afresh. */
static void
test_seeds_keep_their_choice (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  GRand *rand = g_rand_new_with_seed (17);
  int w = 96, h = 80, n = w * h, i;
  float *pos;
  uint8_t *app;
  FbBlitTarget t;
  FbSeedLevels seeds = { 0 }, fresh = { 0 };
  int32_t *first = g_new (int32_t, n), *kept = g_new (int32_t, n),
      *redrawn = g_new (int32_t, n);
  int with_history, without;

  style_fixture_init (&f, w, h, 21);
  t = shifted_target (&f, 5, 3, &pos, &app);
  /* an appearance that the exemplar does not have, so that seeds have choices */
  for (i = 0; i < n; i++)
    app[i] = g_rand_int_range (rand, 0, 256);
  t.threshold = 200.0f;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, first, NULL);

  for (i = 0; i < n; i++)
    app[i] = CLAMP (app[i] + g_rand_int_range (rand, -12, 13), 0, 255);
  t.previous = first;
  fb_synthesis_seeds (workers, &t, 5, TRUE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, kept, NULL);
  t.previous = NULL;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &fresh);
  fb_synthesis_nnf (workers, &f.style, &t, &fresh, redrawn, NULL);

  with_history = nnf_changes (first, kept, n);
  without = nnf_changes (first, redrawn, n);
  g_assert_cmpint (without, >, n / 10);
  g_assert_cmpint (with_history, <, without * 2 / 3);

  fb_seed_levels_clear (&seeds);
  fb_seed_levels_clear (&fresh);
  g_free (first);
  g_free (kept);
  g_free (redrawn);
  g_free (pos);
  g_free (app);
  g_rand_free (rand);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* A pixel whose guides moved by less than the settling margin since its choice keeps
 * that choice without a new search, and the guides of the choice are carried, so that
 * slow drift still ends in a new search; beyond the margin the pixel is searched again. */
static void
test_settled_choices_are_kept (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  GRand *rand = g_rand_new_with_seed (23);
  int w = 96, h = 80, n = w * h, i, differ = 0;
  float *pos, *first_settled = g_new (float, 3 * n), *settled = g_new (float, 3 * n);
  uint8_t *app;
  FbBlitTarget t;
  FbSeedLevels seeds = { 0 };
  int32_t *first = g_new (int32_t, n), *nnf = g_new (int32_t, n);

  style_fixture_init (&f, w, h, 25);
  t = shifted_target (&f, 5, 3, &pos, &app);
  for (i = 0; i < n; i++)
    app[i] = g_rand_int_range (rand, 0, 200);
  t.threshold = 200.0f;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, first, first_settled);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (first_settled[3 * i + 2], ==, app[i]);

  /* 2 grey levels of drift: 4 units of guide error, under 0.1 x 200 */
  for (i = 0; i < n; i++)
    app[i] += 2;
  t.previous = first;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, nnf, NULL);
  for (i = 0; i < n; i++)
    differ += nnf[i] != first[i];
  g_assert_cmpint (differ, >, 0);       /* a new search would change some */
  t.settled = first_settled;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, nnf, settled);
  g_assert_cmpmem (nnf, n * sizeof (int32_t), first, n * sizeof (int32_t));
  g_assert_cmpmem (settled, 3 * n * sizeof (float), first_settled, 3 * n * sizeof (float));

  /* 40 more levels (80 units) on the left half: searched again, with today's guides */
  for (i = 0; i < n; i++)
    if (i % w < w / 2)
      app[i] += 40;
  fb_synthesis_seeds (workers, &t, 5, FALSE, &seeds);
  fb_synthesis_nnf (workers, &f.style, &t, &seeds, nnf, settled);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat (settled[3 * i + 2], ==, i % w < w / 2 ? app[i] : app[i] - 2);

  fb_seed_levels_clear (&seeds);
  g_free (first);
  g_free (nnf);
  g_free (first_settled);
  g_free (settled);
  g_free (pos);
  g_free (app);
  g_rand_free (rand);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* The maps give every pixel the nearest of the seeds in the 3 x 3 cells around it, also
 * after the region moves (in canonical space: x0, y0) and they are kept or remade from
 * the old ones; the NNF is then the same as through new maps. */
static void
test_nearest_seed_maps (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  FbSeedLevels moved = { 0 };
  float *pos;
  uint8_t *app;
  FbBlitTarget t;
  int32_t *nnf = NULL, *fresh;
  int w = 96, h = 80, k, px, py, i, step;
  /* kept, kept, remade overlapping the old maps, remade apart from them, kept */
  const int shifts[][2] = { {0, 0}, {5, -3}, {-20, 17}, {60, 40}, {400, -900},
  {401, -899}
  };

  for (k = 1; k < 6; k++)
    for (py = -70; py < 70; py += 3)
      for (px = -70; px < 70; px++) {
        int cell = fb_nearest_seed_cell (k, px, py), best_d = G_MAXINT, d, sx, sy;
        for (i = 0; i < 9; i++) {
          fb_seed_position (k, 1 << k, fb_floor_shift (px, k) + i % 3 - 1,
              fb_floor_shift (py, k) + i / 3 - 1, &sx, &sy);
          best_d = MIN (best_d, (sx - px) * (sx - px) + (sy - py) * (sy - py));
        }
        fb_seed_position (k, 1 << k, fb_floor_shift (px, k) + cell % 3 - 1,
            fb_floor_shift (py, k) + cell / 3 - 1, &sx, &sy);
        d = (sx - px) * (sx - px) + (sy - py) * (sy - py);
        g_assert_cmpint (d, ==, best_d);
      }

  style_fixture_init (&f, w, h, 5);
  t = shifted_target (&f, 3, 2, &pos, &app);
  for (step = 0; step < (int) G_N_ELEMENTS (shifts); step++) {
    t.x0 = shifts[step][0];
    t.y0 = shifts[step][1];
    nnf = g_renew (int32_t, nnf, w * h);
    fb_synthesis_seeds (workers, &t, 6, FALSE, &moved);
    for (k = 1; k < 6; k++) {
      const FbSeedLevel *l = &moved.levels[k];
      for (i = 0; i < w * h; i++)
        g_assert_cmpint (l->nearest[(i / w) * l->nearest_stride + i % w], ==,
            fb_nearest_seed_cell (k, t.x0 + i % w, t.y0 + i / w));
    }
    fb_synthesis_nnf (workers, &f.style, &t, &moved, nnf, NULL);
    fresh = synthesize (workers, &f, &t, 6);
    g_assert_cmpmem (nnf, w * h * sizeof (int32_t), fresh, w * h * sizeof (int32_t));
    g_free (fresh);
  }

  fb_seed_levels_clear (&moved);
  g_free (nnf);
  g_free (pos);
  g_free (app);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

static void
test_floor_shift (void)
{
  int a, s;

  for (s = 0; s < 7; s++)
    for (a = -300; a <= 300; a++)
      g_assert_cmpint (fb_floor_shift (a, s), ==, (int) floor (a / (double) (1 << s)));
}

/* Skipping the synthesis where the face cannot show is safe only if every pixel that the
 * compositing's bilinear read of the coverage gives a non-zero alpha counts as covered. */
static void
test_coverage_is_conservative (void)
{
  GRand *rand = g_rand_new_with_seed (5);
  int shift, trial, x, y;

  for (shift = 0; shift <= 2; shift++)
    for (trial = 0; trial < 20; trial++) {
      int w = 37 + trial, h = 29 + 2 * trial;
      int cw = ((w - 1) >> shift) + 1, ch = ((h - 1) >> shift) + 1;
      FbImage *coverage = fb_image_new (cw, ch, 1);
      FbBlitTarget t = { .width = w, .height = h, .coverage = coverage->data,
        .coverage_stride = coverage->stride, .coverage_width = cw,
        .coverage_height = ch, .coverage_shift = shift
      };
      int i;
      /* sparse non-zero samples, so that most pixels are near a zero one */
      for (i = 0; i < cw * ch; i++)
        if (g_rand_int_range (rand, 0, 8) == 0)
          coverage->data[i] = 1 + g_rand_int_range (rand, 0, 255);
      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
          float k = 1.0f / (1 << shift), m;
          fb_sample_bilinear (coverage->data, coverage->stride, cw, ch, 1,
              (x + 0.5f) * k - 0.5f, (y + 0.5f) * k - 0.5f, &m);
          if (m > 0)
            g_assert_true (fb_target_covered (&t, x, y));
        }
      fb_image_free (coverage);
    }
  g_rand_free (rand);
}

/* The NNF upsampled with fb_nnf_upsample (g_free). */
static int32_t *
upsampled_nnf (const StyleFixture * f, const int32_t * coarse, int cw, int ch)
{
  int32_t *fine = g_new (int32_t, 4 * cw * ch);
  int x, y;

  for (y = 0; y < 2 * ch; y++)
    for (x = 0; x < 2 * cw; x++)
      fine[y * 2 * cw + x] = fb_nnf_upsample (coarse[(y / 2) * cw + x / 2], x % 2, y % 2,
          f->style.width, f->style.height);
  return fine;
}

/* Upsampling keeps each chunk's offset (doubled) over its 2 x 2 blocks and stays inside
 * the finer style; voting on the half-resolution NNF equals voting on the upsampled
 * one, and turns the coarse identity into the exemplar. */
static void
test_upsampled_nnf (void)
{
  StyleFixture f;
  FbWorkers *workers = fb_workers_new (2);
  GRand *rand = g_rand_new_with_seed (11);
  int w = 52, h = 38, cw = w / 2, ch = h / 2, x, y, voting;
  int32_t *coarse = g_new (int32_t, cw * ch), *fine;
  FbBlitTarget t = { .width = 2 * cw, .height = 2 * ch };
  FbImage *direct = fb_image_new (2 * cw, 2 * ch, 3), *via = fb_image_new (2 * cw,
      2 * ch, 3);

  style_fixture_init (&f, w, h, 5);
  /* chunks of a few coarse pixels, as the synthesis makes them */
  for (y = 0; y < ch; y++)
    for (x = 0; x < cw; x++) {
      int ox = g_rand_int_range (rand, 0, cw), oy = g_rand_int_range (rand, 0, ch);
      coarse[y * cw + x] = x % 3 && y > 0 ? coarse[y * cw + x - 1] + 1
          : (int32_t) FB_PIXEL_PACK (ox, oy);
      if (FB_PIXEL_X (coarse[y * cw + x]) >= cw)
        coarse[y * cw + x] = (int32_t) FB_PIXEL_PACK (0, oy);
    }
  fine = upsampled_nnf (&f, coarse, cw, ch);
  for (y = 0; y < 2 * ch; y++)
    for (x = 0; x < 2 * cw; x++) {
      int32_t c = coarse[(y / 2) * cw + x / 2], o = fine[y * 2 * cw + x];
      g_assert_cmpint (FB_PIXEL_X (o), ==, 2 * FB_PIXEL_X (c) + x % 2);
      g_assert_cmpint (FB_PIXEL_Y (o), ==, 2 * FB_PIXEL_Y (c) + y % 2);
    }
  for (voting = 1; voting <= 5; voting += 2) {
    fb_synthesis_vote (workers, &f.style, &t, fine, voting, via);
    fb_synthesis_vote_upsampled (workers, &f.style, &t, coarse, voting, direct);
    for (y = 0; y < 2 * ch; y++)
      g_assert_cmpmem (fb_image_row (direct, y), direct->stride, fb_image_row (via, y),
          via->stride);
  }
  g_free (fine);

  for (y = 0; y < ch; y++)
    for (x = 0; x < cw; x++)
      coarse[y * cw + x] = (int32_t) FB_PIXEL_PACK (x, y);
  fb_synthesis_vote_upsampled (workers, &f.style, &t, coarse, 3, direct);
  for (y = 0; y < h; y++)
    g_assert_cmpmem (fb_image_row (direct, y), w * 3, fb_image_row (f.rgb, y), w * 3);

  fb_image_free (direct);
  fb_image_free (via);
  g_free (coarse);
  g_rand_free (rand);
  fb_workers_free (workers);
  style_fixture_clear (&f);
}

/* The chunk of offset (dx, dy) at pixel (x, y). */
static int32_t
chunk_at (int x, int y, int dx, int dy)
{
  return (int32_t) FB_PIXEL_PACK (x + dx, y + dy);
}

static void
test_despeckle (void)
{
  const int w = 40, h = 30;
  FbBlitStyle style = { 0 };
  FbBlitTarget target = { 0 };
  FbWorkers *workers = fb_workers_new (3);
  int32_t *nnf = g_new (int32_t, w * h), *scratch = g_new (int32_t, w * h);
  int x, y;

  style.width = style.height = 100;
  target.width = w;
  target.height = h;
  /* chunk A left of a straight seam at x = 20, B right of it */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      nnf[y * w + x] = x < 20 ? chunk_at (x, y, 10, 5) : chunk_at (x, y, 40, 20);
  /* a speck, a pair of specks, and a 6 x 6 chunk C inside A */
  nnf[8 * w + 8] = chunk_at (8, 8, 50, 50);
  nnf[20 * w + 5] = chunk_at (5, 20, 55, 60);
  nnf[20 * w + 6] = chunk_at (6, 20, 57, 61);
  for (y = 2; y < 8; y++)
    for (x = 12; x < 18; x++)
      nnf[y * w + x] = chunk_at (x, y, 30, 60);

  fb_synthesis_despeckle (workers, &style, &target, nnf, scratch);
  g_assert_cmpint (nnf[8 * w + 8], ==, chunk_at (8, 8, 10, 5));
  g_assert_cmpint (nnf[20 * w + 5], ==, chunk_at (5, 20, 10, 5));
  g_assert_cmpint (nnf[20 * w + 6], ==, chunk_at (6, 20, 10, 5));
  /* C loses its corners only; the seam and B stay as they are */
  g_assert_cmpint (nnf[2 * w + 12], ==, chunk_at (12, 2, 10, 5));
  for (y = 3; y < 7; y++)
    for (x = 13; x < 17; x++)
      g_assert_cmpint (nnf[y * w + x], ==, chunk_at (x, y, 30, 60));
  for (y = 0; y < h; y++) {
    g_assert_cmpint (nnf[y * w + 19], ==, chunk_at (19, y, 10, 5));
    for (x = 20; x < w; x++)
      g_assert_cmpint (nnf[y * w + x], ==, chunk_at (x, y, 40, 20));
  }
  g_free (nnf);
  g_free (scratch);
  fb_workers_free (workers);
}

static void
count_job (void *data, int index, int count)
{
  g_atomic_int_add ((gint *) data + index, 1);
}

static void
test_workers_run_every_job_once (void)
{
  FbWorkers *workers = fb_workers_new (4);
  gint counts[100];
  int round, i;

  for (round = 0; round < 50; round++) {
    memset (counts, 0, sizeof (counts));
    fb_workers_run (workers, count_job, counts, 1 + round % 100);
    for (i = 0; i < 1 + round % 100; i++)
      g_assert_cmpint (counts[i], ==, 1);
  }
  fb_workers_free (workers);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/synthesis/self-reconstruction", test_self_reconstruction);
  g_test_add_func ("/synthesis/shift-is-coherent", test_shift_is_coherent);
  g_test_add_func ("/synthesis/random-target-inside-and-voting-one-copies",
      test_random_target_stays_inside_and_voting_one_copies);
  g_test_add_func ("/synthesis/workers-run-every-job-once", test_workers_run_every_job_once);
  g_test_add_func ("/synthesis/floor-shift", test_floor_shift);
  g_test_add_func ("/synthesis/nearest-seed-maps", test_nearest_seed_maps);
  g_test_add_func ("/synthesis/upsampled-nnf", test_upsampled_nnf);
  g_test_add_func ("/synthesis/despeckle", test_despeckle);
  g_test_add_func ("/synthesis/seeds-keep-their-choice", test_seeds_keep_their_choice);
  g_test_add_func ("/synthesis/settled-choices-are-kept", test_settled_choices_are_kept);
  g_test_add_func ("/synthesis/coverage-is-conservative", test_coverage_is_conservative);
  return g_test_run ();
}
