/* faceblit — per-pixel StyleBlit mathematics (DESIGN.md §2.6–2.7), written once for
 * the CPU threads and the CUDA kernels: plain data in, no allocation, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-hostdevice.h"
#include "fb-seed-lookup.h"

/* Finest seed level is 1 (h = 2), but chunks are tried down to FbBlitTarget.finest_level
 * only; pixels that pass none take the direct lookup. */
/* u* of a seed outside the region may lie outside the style: biased 16-bit halves. */
#define FB_SEED_PACK(x, y) (((uint32_t) ((y) + 32768) << 16) | (uint32_t) ((x) + 32768))
#define FB_SEED_X(p) ((int) ((p) & 0xFFFFu) - 32768)
#define FB_SEED_Y(p) ((int) ((p) >> 16) - 32768)
#define FB_SEED_UNKNOWN 0xFFFFFFFFu
#define FB_BLIT_MAX_LEVELS 8
/* What was chosen in the previous frame is kept up to this factor of the threshold, so
 * that noise in the guides does not flip choices back and forth. */
#define FB_KEEP_HYSTERESIS 1.25f
/* Where no seed's chunk is under the threshold, the coarsest one still is taken up to
 * this factor of it rather than a pixel of its own (fb_blit_pixel). */
#define FB_FALLBACK_RELAX 4.0f

/* The seeds of one level of spacing h = 2^level, for the cells around the region. */
typedef struct {
  int h;
  int cell_x0;                  /* first cell (absolute canonical cell index) */
  int cell_y0;
  int cols;
  int rows;
  int32_t *seed_xy;             /* 2 per cell: the seed's absolute canonical position */
  uint32_t *seed_u;             /* per cell: FB_SEED_PACK of u* for that seed, looked up
                                 * when first needed; FB_SEED_UNKNOWN until then */
  const uint32_t *previous_u;   /* per cell: what the same seed took in the previous
                                 * frame (FB_SEED_UNKNOWN: nothing); NULL: no history */
  const uint8_t *nearest;       /* per region pixel (row stride nearest_stride): its
                                 * fb_nearest_seed_cell on this level */
  int nearest_stride;
} FbSeedLevel;

/* One style level, as the synthesis reads it. */
typedef struct {
  const uint8_t *rgb;
  int rgb_stride;
  const uint8_t *guide;
  int guide_stride;
  const uint8_t *rgb_blurred;
  int rgb_blurred_stride;
  int width;
  int height;
  const uint32_t *table;        /* FbSeedTable entries and geometry */
  int table_cols;
  int table_rows;
  int table_step;
  int table_n_app;
} FbBlitStyle;

/* The target guides over the processed region of canonical space. */
typedef struct {
  int x0;                       /* region origin, absolute canonical pixels */
  int y0;
  int width;
  int height;
  const float *pos;             /* G_pos: 2 floats per pixel, style coordinates */
  const uint8_t *app;           /* G_app */
  const int32_t *previous;      /* previous frame's NNF at the same face point (-1 = none); or NULL */
  const float *settled;         /* with previous: 3 per pixel, the guides (x, y, app) when
                                 * that choice was made (x NaN: none); or NULL */
  const uint8_t *coverage;      /* where the face will show (feathered mask, possibly at
                                 * 1 / 2^coverage_shift resolution); NULL = everywhere */
  int coverage_stride;
  int coverage_width;
  int coverage_height;
  int coverage_shift;
  float lambda_pos;             /* per pixel of the style level */
  float lambda_app;
  float lambda_temporal;
  float threshold;
  int finest_level;             /* the finest seed level whose chunks are tried (0 or 1:
                                 * all of them) */
} FbBlitTarget;

/* floor (a / 2^s) without division, for negative a too. */
FB_FUNC int
fb_floor_shift (int a, int s)
{
  return a >= 0 ? a >> s : ~((~a) >> s);
}

FB_FUNC uint32_t
fb_hash3 (uint32_t a, uint32_t b, uint32_t c)
{
  uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  h *= 0x297A2D39u;
  h ^= h >> 15;
  return h;
}

/* The jittered seed of cell (bx, by) on a level of spacing h: floor (h (b + J(b))),
 * with J a fixed hash so that seeds stay put in canonical (face) space. */
FB_FUNC void
fb_seed_position (int level, int h, int bx, int by, int *sx, int *sy)
{
  uint32_t r = fb_hash3 ((uint32_t) level, (uint32_t) bx, (uint32_t) by);
  *sx = bx * h + (int) ((r & 0xFFFF) * (uint32_t) h >> 16);
  *sy = by * h + (int) ((r >> 16) * (uint32_t) h >> 16);
}

FB_FUNC int
fb_clampi (int v, int lo, int hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Which of the 3 x 3 cells around canonical pixel (px, py) holds its nearest seed on
 * seed level k, as (dy + 1) * 3 + dx + 1. Seeds never move in canonical space, so this
 * depends on the pixel alone: the synthesis reads it from maps made once. */
FB_FUNC int
fb_nearest_seed_cell (int k, int px, int py)
{
  int h = 1 << k, cx = fb_floor_shift (px, k), cy = fb_floor_shift (py, k);
  int fx = px - cx * h, fy = py - cy * h;       /* offset inside the cell */
  int best = 4, best_d = 0x7FFFFFFF, dx, dy;

  /* Own cell first; a neighbour is searched only if its nearest edge is closer than
   * the best seed so far, which skips most of the 3 x 3 cells. */
  for (dy = 0; dy <= 2; dy++)
    for (dx = 0; dx <= 2; dx++) {
      int ox = dx == 2 ? -1 : dx, oy = dy == 2 ? -1 : dy;
      int ex = ox < 0 ? fx + 1 : (ox > 0 ? h - fx : 0);
      int ey = oy < 0 ? fy + 1 : (oy > 0 ? h - fy : 0);
      int sx, sy, d;
      if (ex * ex + ey * ey >= best_d)
        continue;
      fb_seed_position (k, h, cx + ox, cy + oy, &sx, &sy);
      d = (sx - px) * (sx - px) + (sy - py) * (sy - py);
      if (d < best_d) {
        best_d = d;
        best = (oy + 1) * 3 + ox + 1;
      }
    }
  return best;
}

/* Level k's cells (spacing h = 2^k) around the target region: the region's own and
 * one more on every side, so that every pixel's 3 x 3 neighbourhood of cells has seeds. */
FB_FUNC void
fb_seed_level_place (FbSeedLevel * l, int k, const FbBlitTarget * t)
{
  l->h = 1 << k;
  l->cell_x0 = fb_floor_shift (t->x0, k) - 1;
  l->cell_y0 = fb_floor_shift (t->y0, k) - 1;
  l->cols = fb_floor_shift (t->x0 + t->width - 1, k) + 2 - l->cell_x0;
  l->rows = fb_floor_shift (t->y0 + t->height - 1, k) + 2 - l->cell_y0;
}

/* Cell (i, j) of seed level k: its seed, u* not looked up yet, and (previous_u not
 * NULL) what the same seed took on the previous frame's level p. */
FB_FUNC void
fb_seed_cell_init (int k, const FbSeedLevel * l, const FbSeedLevel * p,
    uint32_t * previous_u, int i, int j)
{
  int c = j * l->cols + i, pi = l->cell_x0 + i - p->cell_x0, pj = l->cell_y0 + j - p->cell_y0;
  int sx, sy;

  fb_seed_position (k, l->h, l->cell_x0 + i, l->cell_y0 + j, &sx, &sy);
  l->seed_xy[2 * c] = sx;
  l->seed_xy[2 * c + 1] = sy;
  l->seed_u[c] = FB_SEED_UNKNOWN;
  if (previous_u)
    previous_u[c] = pi >= 0 && pj >= 0 && pi < p->cols && pj < p->rows
        ? p->seed_u[pj * p->cols + pi] : FB_SEED_UNKNOWN;
}

/* Guidance error of taking style pixel (ox, oy) for region pixel i. */
FB_FUNC float
fb_blit_guide_error (const FbBlitStyle * s, const FbBlitTarget * t, size_t i, int ox, int oy)
{
  return t->lambda_pos * (fabsf (t->pos[2 * i] - ox) + fabsf (t->pos[2 * i + 1] - oy))
      + t->lambda_app * fabsf ((float) t->app[i] - s->guide[(size_t) oy * s->guide_stride + ox]);
}

/* Style pixel u* for a target pixel given in region coordinates (clamped into it). The
 * table answers for the grid point nearest to the positional guide; carried over to
 * the guide's own position, that answer continues one chunk across the table's cell
 * instead of repeating one pixel over it. Both compete with the pixel the positional
 * guide points at on the exact cost: where the guides agree (a style as its own
 * target) the answer is exact. */
FB_FUNC int32_t
fb_blit_lookup (const FbBlitStyle * s, const FbBlitTarget * t, int rx, int ry)
{
  size_t i;
  float px, py, table_cost, carried_cost, direct_cost;
  int32_t u;
  int ux, uy, gx, gy, dx, dy, cx, cy;

  rx = fb_clampi (rx, 0, t->width - 1);
  ry = fb_clampi (ry, 0, t->height - 1);
  i = (size_t) ry * t->width + rx;
  px = t->pos[2 * i];
  py = t->pos[2 * i + 1];
  u = (int32_t) fb_seed_table_lookup (s->table, s->table_cols, s->table_rows,
      s->table_step, s->table_n_app, px, py, t->app[i], &gx, &gy);
  ux = FB_PIXEL_X (u);
  uy = FB_PIXEL_Y (u);
  dx = fb_clampi ((int) (px + 0.5f), 0, s->width - 1);
  dy = fb_clampi ((int) (py + 0.5f), 0, s->height - 1);
  cx = fb_clampi (ux + dx - gx, 0, s->width - 1);
  cy = fb_clampi (uy + dy - gy, 0, s->height - 1);
  table_cost = fb_blit_guide_error (s, t, i, ux, uy);
  carried_cost = fb_blit_guide_error (s, t, i, cx, cy);
  direct_cost = fb_blit_guide_error (s, t, i, dx, dy);
  if (direct_cost <= carried_cost && direct_cost <= table_cost)
    return (int32_t) FB_PIXEL_PACK (dx, dy);
  return carried_cost <= table_cost ? (int32_t) FB_PIXEL_PACK (cx, cy) : u;
}

/* ... plus the temporal term, which favours candidates that look like the previous
 * output there. The output is made of the style's pixels, so the previous output
 * blurred is, but at seams, the style's blurred pixel at the previous choice. */
FB_FUNC float
fb_blit_error (const FbBlitStyle * s, const FbBlitTarget * t, size_t i, int ox, int oy)
{
  float e = fb_blit_guide_error (s, t, i, ox, oy);
  /* the previous choice itself differs by nothing */
  if (t->lambda_temporal > 0 && t->previous && t->previous[i] >= 0
      && t->previous[i] != (int32_t) FB_PIXEL_PACK (ox, oy)) {
    const uint8_t *b = s->rgb_blurred + (size_t) oy * s->rgb_blurred_stride + 3 * ox;
    const uint8_t *p = s->rgb_blurred + (size_t) FB_PIXEL_Y (t->previous[i])
        * s->rgb_blurred_stride + 3 * FB_PIXEL_X (t->previous[i]);
    e += t->lambda_temporal * (fabsf ((float) p[0] - b[0]) + fabsf ((float) p[1] - b[1])
        + fabsf ((float) p[2] - b[2])) * (1.0f / 3.0f);
  }
  return e;
}

/* Whether region pixel (rx, ry) can show in the output: one of the coverage samples
 * that bilinear interpolation mixes there is not zero. */
FB_FUNC int
fb_target_covered (const FbBlitTarget * t, int rx, int ry)
{
  const uint8_t *r0, *r1;
  int s, x0, y0, x1, y1;

  if (!t->coverage)
    return 1;
  /* floor ((r + 0.5) / 2^s - 0.5) in integers */
  s = t->coverage_shift;
  x0 = fb_clampi (fb_floor_shift (2 * rx + 1 - (1 << s), s + 1), 0, t->coverage_width - 1);
  y0 = fb_clampi (fb_floor_shift (2 * ry + 1 - (1 << s), s + 1), 0, t->coverage_height - 1);
  x1 = x0 + 1 < t->coverage_width ? x0 + 1 : x0;
  y1 = y0 + 1 < t->coverage_height ? y0 + 1 : y0;
  r0 = t->coverage + (size_t) y0 * t->coverage_stride;
  r1 = t->coverage + (size_t) y1 * t->coverage_stride;
  return (r0[x0] | r0[x1] | r1[x0] | r1[x1]) != 0;
}

/* The style pixel the positional guide points at: what pixels that cannot show take. */
FB_FUNC int32_t
fb_blit_positional (const FbBlitStyle * s, const FbBlitTarget * t, size_t i)
{
  return (int32_t) FB_PIXEL_PACK (fb_clampi ((int) (t->pos[2 * i] + 0.5f), 0, s->width - 1),
      fb_clampi ((int) (t->pos[2 * i + 1] + 0.5f), 0, s->height - 1));
}

/* u* of seed cell c, looked up the first time a pixel asks. A seed keeps what it took
 * in the previous frame while its guides still accept it: seeds are fixed in face
 * space, so whole chunks then stay put from frame to frame. Seeds outside the region
 * have no guides: the nearest region pixel's answer is taken and the offset carried
 * over, as if the positional guide went on in a straight line. */
FB_FUNC uint32_t
fb_seed_u (const FbBlitStyle * s, const FbBlitTarget * t, const FbSeedLevel * l, int c)
{
  uint32_t u = FB_LOAD_U32 (&l->seed_u[c]);
  if (u == FB_SEED_UNKNOWN) {
    int rx = l->seed_xy[2 * c] - t->x0, ry = l->seed_xy[2 * c + 1] - t->y0;
    int cx = fb_clampi (rx, 0, t->width - 1), cy = fb_clampi (ry, 0, t->height - 1);
    uint32_t previous = l->previous_u ? l->previous_u[c] : FB_SEED_UNKNOWN;
    if (previous != FB_SEED_UNKNOWN) {
      int ox = FB_SEED_X (previous) - rx + cx, oy = FB_SEED_Y (previous) - ry + cy;
      if (ox >= 0 && oy >= 0 && ox < s->width && oy < s->height
          && fb_blit_guide_error (s, t, (size_t) cy * t->width + cx, ox, oy)
          < FB_KEEP_HYSTERESIS * t->threshold)
        u = previous;
    }
    if (u == FB_SEED_UNKNOWN) {
      int32_t found = fb_blit_lookup (s, t, cx, cy);
      u = FB_SEED_PACK (FB_PIXEL_X (found) + rx - cx, FB_PIXEL_Y (found) + ry - cy);
    }
    FB_STORE_U32 (&l->seed_u[c], u);
  }
  return u;
}

/* Pixels of one chunk share the offset o - p, so the offset names the chunk. */
FB_FUNC uint32_t
fb_chunk_id (int px, int py, int ox, int oy)
{
  return fb_hash3 (7, (uint32_t) (ox - px), (uint32_t) (oy - py));
}

/* Whether region pixel i's previous choice still stands without a new search: its
 * guides have moved, since the choice was made, by less than a tenth of the threshold
 * in guide error (a fraction of the margin that keeping a choice is given). */
FB_FUNC int
fb_blit_settled (const FbBlitTarget * t, size_t i)
{
  const float *g = t->settled + 3 * i;

  return t->previous[i] >= 0
      && t->lambda_pos * (fabsf (t->pos[2 * i] - g[0]) + fabsf (t->pos[2 * i + 1] - g[1]))
      + t->lambda_app * fabsf ((float) t->app[i] - g[2]) < 0.1f * t->threshold;
}

/* The NNF entry of covered region pixel (rx, ry) (fb_target_covered; the others take
 * fb_blit_positional): FB_PIXEL_PACK (ox, oy) of a style pixel. Where no seed's chunk
 * fits, the previous frame's choice at this face point is kept while the guides still
 * accept it, so that these pixels do not flicker either. */
FB_FUNC int32_t
fb_blit_pixel (const FbBlitStyle * s, const FbBlitTarget * t, const FbSeedLevel * levels,
    int n_levels, int rx, int ry)
{
  int px = t->x0 + rx, py = t->y0 + ry;
  size_t i = (size_t) ry * t->width + rx;
  int32_t fallback = -1;
  int finest = t->finest_level > 1 ? t->finest_level : 1, k;

  for (k = n_levels - 1; k >= finest; k--) {
    const FbSeedLevel *l = &levels[k];
    int cell = l->nearest[(size_t) ry * l->nearest_stride + rx];
    /* the region's cells and their neighbours all have seeds */
    int best = (fb_floor_shift (py, k) - l->cell_y0 + cell / 3 - 1) * l->cols
        + fb_floor_shift (px, k) - l->cell_x0 + cell % 3 - 1;
    uint32_t u = fb_seed_u (s, t, l, best);
    int ox = FB_SEED_X (u) + px - l->seed_xy[2 * best];
    int oy = FB_SEED_Y (u) + py - l->seed_xy[2 * best + 1];
    int32_t o = (int32_t) FB_PIXEL_PACK (ox, oy);
    /* A pixel that was in this chunk in the previous frame stays unless its error
     * clearly exceeds the threshold: noise then does not flip chunk edges. */
    float limit = t->previous && t->previous[i] == o ? FB_KEEP_HYSTERESIS * t->threshold
        : t->threshold;
    if (ox >= 0 && oy >= 0 && ox < s->width && oy < s->height) {
      float e = fb_blit_error (s, t, i, ox, oy);
      if (e < limit)
        return o;
      if (fallback < 0 && e < FB_FALLBACK_RELAX * t->threshold)
        fallback = o;
    }
  }
  if (t->previous && t->previous[i] >= 0) {
    int ox = FB_PIXEL_X (t->previous[i]), oy = FB_PIXEL_Y (t->previous[i]);
    if (fb_blit_guide_error (s, t, i, ox, oy) < FB_KEEP_HYSTERESIS * t->threshold)
      return t->previous[i];
  }
  /* A pixel on its own would be a speck: the coarsest of the seeds' chunks that is not
   * far off is taken, the largest, which most of its neighbours share. The closest
   * fit instead, a level's chunk here and another's next door, scattered single pixels
   * along the chunks' borders (target1 x ken: 35 % of the face in tiny chunks, 23 %
   * this way). */
  return fallback >= 0 ? fallback : fb_blit_lookup (s, t, rx, ry);
}

/* The temporal guide at pixel (x, y) of this frame's region: the previous frame's
 * choice and its guides at the same canonical position (-1: none). The previous frame
 * lives in the same canonical space, so the landmark alignment has already warped it
 * onto this frame: copying by canonical position is the warp. */
FB_FUNC void
fb_history_entry (const int32_t * prev_nnf, const float *prev_settled, int prev_x0,
    int prev_y0, int prev_width, int prev_height, int x0, int y0, int width, int x, int y,
    int32_t * previous, float *previous_settled)
{
  int px = x0 + x - prev_x0, py = y0 + y - prev_y0;
  size_t i = (size_t) y * width + x, p = (size_t) py * prev_width + px;

  if (px < 0 || py < 0 || px >= prev_width || py >= prev_height) {
    previous[i] = -1;
    return;
  }
  previous[i] = prev_nnf[p];
  previous_settled[3 * i] = prev_settled[3 * p];
  previous_settled[3 * i + 1] = prev_settled[3 * p + 1];
  previous_settled[3 * i + 2] = prev_settled[3 * p + 2];
}

/* NNF entry i = (x, y) of the target, and (settled_out not NULL) the guides it was
 * chosen with. Settled choices stay; pixels that cannot show take the positional
 * guide, which is no choice to keep. */
FB_FUNC void
fb_nnf_entry (const FbBlitStyle * s, const FbBlitTarget * t, const FbSeedLevel * levels,
    int n_levels, int x, int y, int32_t * nnf, float *settled_out)
{
  size_t i = (size_t) y * t->width + x;
  float *settled = settled_out ? settled_out + 3 * i : 0;

  if (t->previous && t->settled && fb_blit_settled (t, i)) {
    nnf[i] = t->previous[i];
    if (settled) {
      settled[0] = t->settled[3 * i];
      settled[1] = t->settled[3 * i + 1];
      settled[2] = t->settled[3 * i + 2];
    }
    return;
  }
  if (!fb_target_covered (t, x, y)) {
    nnf[i] = fb_blit_positional (s, t, i);
    if (settled)
      settled[0] = settled[1] = settled[2] = NAN;
    return;
  }
  nnf[i] = fb_blit_pixel (s, t, levels, n_levels, x, y);
  if (settled) {
    settled[0] = t->pos[2 * i];
    settled[1] = t->pos[2 * i + 1];
    settled[2] = t->app[i];
  }
}

/* The NNF at twice the resolution of a half-resolution one: the pixel (dx, dy) of a
 * 2 x 2 block takes the same pixel of the 2 x 2 block of the finer style level under its
 * coarse entry, so whole chunks keep their offsets and the style's detail comes from
 * the finer level. (dx, dy) beyond the block continue the chunk, clamped to the style. */
FB_FUNC void
fb_upsampled_position (int32_t coarse, int dx, int dy, int width, int height, int *x,
    int *y)
{
  *x = fb_clampi (2 * FB_PIXEL_X (coarse) + dx, 0, width - 1);
  *y = fb_clampi (2 * FB_PIXEL_Y (coarse) + dy, 0, height - 1);
}

/* The same packed as an NNF entry. */
FB_FUNC int32_t
fb_nnf_upsample (int32_t coarse, int dx, int dy, int width, int height)
{
  int x, y;

  fb_upsampled_position (coarse, dx, dy, width, height, &x, &y);
  return (int32_t) FB_PIXEL_PACK (x, y);
}

/* sum / n rounded. Inside the image n is 9 or 25: with constant divisors the compiler
 * multiplies instead of dividing, which matters in voting's inner loop. */
FB_FUNC uint8_t
fb_rounded_mean (int sum, int n)
{
  if (n == 9)
    return (uint8_t) ((sum + 4) / 9);
  if (n == 25)
    return (uint8_t) ((sum + 12) / 25);
  return (uint8_t) ((sum + n / 2) / n);
}

/* Voting: mean over the k x k window of S(NNF(p + d) - d). Neighbours in p's own
 * chunk all vote for p's pixel, so that pixel is read once; inside a chunk that makes
 * voting a plain copy. */
FB_FUNC void
fb_vote_pixel (const FbBlitStyle * s, const int32_t * nnf, int width, int height,
    int rx, int ry, int radius, uint8_t * out)
{
  int sum[3] = { 0, 0, 0 }, n = 0, same = 0, dx, dy;
  int32_t centre = nnf[(size_t) ry * width + rx];
  const uint8_t *c = s->rgb + (size_t) FB_PIXEL_Y (centre) * s->rgb_stride
      + 3 * FB_PIXEL_X (centre);

  for (dy = -radius; dy <= radius; dy++) {
    int qy = ry + dy;
    if (qy < 0 || qy >= height)
      continue;
    for (dx = -radius; dx <= radius; dx++) {
      int qx = rx + dx, o, ox, oy;
      const uint8_t *v;
      if (qx < 0 || qx >= width)
        continue;
      n++;
      o = nnf[(size_t) qy * width + qx];
      if (o == centre + dy * 65536 + dx) {
        same++;
        continue;
      }
      ox = fb_clampi (FB_PIXEL_X (o) - dx, 0, s->width - 1);
      oy = fb_clampi (FB_PIXEL_Y (o) - dy, 0, s->height - 1);
      v = s->rgb + (size_t) oy * s->rgb_stride + 3 * ox;
      sum[0] += v[0];
      sum[1] += v[1];
      sum[2] += v[2];
    }
  }
  if (same == n) {
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
    return;
  }
  sum[0] += same * c[0];
  sum[1] += same * c[1];
  sum[2] += same * c[2];
  out[0] = fb_rounded_mean (sum[0], n);
  out[1] = fb_rounded_mean (sum[1], n);
  out[2] = fb_rounded_mean (sum[2], n);
}

FB_FUNC void
fb_copy_pixel (const uint8_t * from, uint8_t * to)
{
  to[0] = from[0];
  to[1] = from[1];
  to[2] = from[2];
}

/* Output pixel (x, y) of the target: voted if it can show, else its NNF pixel. */
FB_FUNC void
fb_vote_entry (const FbBlitStyle * s, const FbBlitTarget * t, const int32_t * nnf, int x,
    int y, int radius, uint8_t * out)
{
  int32_t o;

  if (fb_target_covered (t, x, y)) {
    fb_vote_pixel (s, nnf, t->width, t->height, x, y, radius, out);
    return;
  }
  o = nnf[(size_t) y * t->width + x];
  fb_copy_pixel (s->rgb + (size_t) FB_PIXEL_Y (o) * s->rgb_stride + 3 * FB_PIXEL_X (o), out);
}

/* Style pixel that a neighbour in the coarse cell with NNF entry o votes for a fine
 * pixel (fx, fy) away from the cell's first fine pixel. */
FB_FUNC const uint8_t *
fb_upsampled_vote (const FbBlitStyle * s, int32_t o, int fx, int fy)
{
  int ox, oy;

  fb_upsampled_position (o, fx, fy, s->width, s->height, &ox, &oy);
  return s->rgb + (size_t) oy * s->rgb_stride + 3 * ox;
}

/* The cells of a half-resolution NNF that the fine pixels p - radius .. p + radius
 * (those inside 0 .. size - 1) fall in, and how many of them fall in each. */
FB_FUNC int
fb_vote_axis_cells (int p, int size, int radius, int *cells, int *counts)
{
  int n = 0, d;

  for (d = -radius; d <= radius; d++) {
    int f = p + d;
    if (f < 0 || f >= size)
      continue;
    if (n > 0 && cells[n - 1] == f >> 1) {
      counts[n - 1]++;
    } else {
      cells[n] = f >> 1;
      counts[n++] = 1;
    }
  }
  return n;
}

/* fb_vote_pixel on the upsampled NNF (fb_nnf_upsample), read from the half-resolution
 * one. A neighbour p + d in coarse cell q votes S (2 NNF (q) + p - 2 q): the same for
 * all its neighbours in that cell. So the window needs one read per cell it touches
 * (4 for a 3 x 3 window) instead of one per pixel, with the cell's pixel count as
 * weight. width, height: the fine region (twice the coarse one). */
FB_FUNC void
fb_vote_upsampled_pixel (const FbBlitStyle * s, const int32_t * coarse, int width,
    int height, int rx, int ry, int radius, uint8_t * out)
{
  int cells_x[3], counts_x[3], cells_y[3], counts_y[3], nx, ny, i, j, n = 0;
  int sum[3] = { 0, 0, 0 };
  const uint8_t *first = 0;
  int all_same = 1;

  nx = fb_vote_axis_cells (rx, width, radius, cells_x, counts_x);
  ny = fb_vote_axis_cells (ry, height, radius, cells_y, counts_y);
  for (j = 0; j < ny; j++)
    for (i = 0; i < nx; i++) {
      const uint8_t *v = fb_upsampled_vote (s,
          coarse[(size_t) cells_y[j] * (width >> 1) + cells_x[i]], rx - 2 * cells_x[i],
          ry - 2 * cells_y[j]);
      int w = counts_x[i] * counts_y[j];
      if (!first)
        first = v;
      all_same &= v == first;
      sum[0] += w * v[0];
      sum[1] += w * v[1];
      sum[2] += w * v[2];
      n += w;
    }
  if (all_same) {
    out[0] = first[0];
    out[1] = first[1];
    out[2] = first[2];
    return;
  }
  out[0] = fb_rounded_mean (sum[0], n);
  out[1] = fb_rounded_mean (sum[1], n);
  out[2] = fb_rounded_mean (sum[2], n);
}

/* The 2 x 2 fine pixels of a coarse cell with NNF entry o, unvoted. */
FB_FUNC void
fb_upsampled_copy_block (const FbBlitStyle * s, int32_t o, uint8_t * row0, uint8_t * row1)
{
  int ex, ey;

  for (ey = 0; ey < 2; ey++)
    for (ex = 0; ex < 2; ex++) {
      const uint8_t *v = fb_upsampled_vote (s, o, ex, ey);
      uint8_t *out = (ey ? row1 : row0) + 3 * ex;
      out[0] = v[0];
      out[1] = v[1];
      out[2] = v[2];
    }
}

/* The 3 x 3 window votes for the 2 x 2 fine pixels of a coarse cell at a chunk seam,
 * from the cell's 3 x 3 coarse neighbourhood `cells` (row-major). A fine pixel e's
 * window covers cells e .. e + 1 of the neighbourhood, the middle one holding two of its
 * three pixels per axis. */
FB_FUNC void
fb_vote_upsampled_seam (const FbBlitStyle * s, const int32_t * cells, uint8_t * row0,
    uint8_t * row1)
{
  int i, j, ex, ey;

  for (ey = 0; ey < 2; ey++)
    for (ex = 0; ex < 2; ex++) {
      uint8_t *out = (ey ? row1 : row0) + 3 * ex;
      int sum[3] = { 0, 0, 0 };
      for (j = ey; j <= ey + 1; j++)
        for (i = ex; i <= ex + 1; i++) {
          int w = (i == 1 ? 2 : 1) * (j == 1 ? 2 : 1);
          const uint8_t *v = fb_upsampled_vote (s, cells[3 * j + i], ex + 2 - 2 * i,
              ey + 2 - 2 * j);
          sum[0] += w * v[0];
          sum[1] += w * v[1];
          sum[2] += w * v[2];
        }
      out[0] = fb_rounded_mean (sum[0], 9);
      out[1] = fb_rounded_mean (sum[1], 9);
      out[2] = fb_rounded_mean (sum[2], 9);
    }
}

/* What voting a 3 x 3 window over the 2 x 2 fine pixels of a coarse cell needs. */
typedef enum {
  FB_BLOCK_IN_CHUNK,            /* all neighbours continue the cell's offset: a copy */
  FB_BLOCK_SEAM,                /* at a seam, every read at least a pixel inside the style */
  FB_BLOCK_SEAM_AT_BORDER,      /* at a seam, some reads clamped to the style's border */
} FbVoteBlock;

/* Reads the 3 x 3 coarse neighbourhood of cell (qx, qy), which must have a neighbour on
 * every side, into `cells`; for FB_BLOCK_SEAM, base[k] points at the first of the finer
 * style's 2 x 2 pixels under cells[k], and the pixels from one before to two after it
 * on each axis can be read unclamped. */
FB_FUNC FbVoteBlock
fb_vote_block_cells (const FbBlitStyle * s, const int32_t * coarse, int coarse_width,
    int qx, int qy, int32_t * cells, const uint8_t ** base)
{
  int32_t centre = coarse[(size_t) qy * coarse_width + qx];
  int coherent = 1, i, j;

  for (j = 0; j < 3; j++)
    for (i = 0; i < 3; i++) {
      cells[3 * j + i] = coarse[(size_t) (qy + j - 1) * coarse_width + qx + i - 1];
      coherent &= cells[3 * j + i] == centre + (j - 1) * 65536 + (i - 1);
    }
  if (coherent)
    return FB_BLOCK_IN_CHUNK;
  for (i = 0; i < 9; i++) {
    int x = 2 * FB_PIXEL_X (cells[i]), y = 2 * FB_PIXEL_Y (cells[i]);
    if (x < 1 || y < 1 || x + 2 >= s->width || y + 2 >= s->height)
      return FB_BLOCK_SEAM_AT_BORDER;
    base[i] = s->rgb + (size_t) y * s->rgb_stride + 3 * x;
  }
  return FB_BLOCK_SEAM;
}

/* Fine pixel (x, y) on its own: voted if it can show, else its upsampled NNF pixel. */
FB_FUNC void
fb_vote_upsampled_entry (const FbBlitStyle * s, const FbBlitTarget * t,
    const int32_t * coarse, int x, int y, int radius, uint8_t * out)
{
  if (fb_target_covered (t, x, y)) {
    fb_vote_upsampled_pixel (s, coarse, t->width, t->height, x, y, radius, out);
    return;
  }
  fb_copy_pixel (fb_upsampled_vote (s, coarse[(size_t) (y >> 1) * (t->width >> 1)
              + (x >> 1)], x & 1, y & 1), out);
}

/* Whether one of the fine pixels of coarse cell (qx, qy) can show. With the coverage
 * at 1/4 of the fine resolution or coarser, the four share their coverage samples. */
FB_FUNC int
fb_block_covered (const FbBlitTarget * t, int qx, int qy)
{
  int x = 2 * qx, y = 2 * qy;

  if (!t->coverage || t->coverage_shift >= 2)
    return fb_target_covered (t, x, y);
  return fb_target_covered (t, x, y) || fb_target_covered (t, x + 1, y)
      || fb_target_covered (t, x, y + 1) || fb_target_covered (t, x + 1, y + 1);
}

/* The 2 x 2 fine pixels of coarse cell (qx, qy) of the target's half-resolution NNF,
 * voted as fb_vote_upsampled_entry votes them, into row0 and row1 (the cell's first
 * pixel in two output rows). A 3 x 3 window inside the region votes the whole block
 * from its coarse neighbourhood; a block whose pixels cannot show is copied. Returns
 * 1 for an FB_BLOCK_SEAM block, which is left to the caller: cells and base are set
 * for fb_vote_upsampled_seam, or for a faster equivalent. */
FB_FUNC int
fb_vote_upsampled_cell (const FbBlitStyle * s, const FbBlitTarget * t,
    const int32_t * coarse, int radius, int qx, int qy, uint8_t * row0, uint8_t * row1,
    int32_t * cells, const uint8_t ** base)
{
  int coarse_width = t->width >> 1, coarse_height = t->height >> 1;

  if (radius == 1 && qx > 0 && qy > 0 && qx < coarse_width - 1 && qy < coarse_height - 1) {
    if (!fb_block_covered (t, qx, qy)) {
      fb_upsampled_copy_block (s, coarse[(size_t) qy * coarse_width + qx], row0, row1);
      return 0;
    }
    switch (fb_vote_block_cells (s, coarse, coarse_width, qx, qy, cells, base)) {
      case FB_BLOCK_IN_CHUNK:
        fb_upsampled_copy_block (s, cells[4], row0, row1);
        return 0;
      case FB_BLOCK_SEAM_AT_BORDER:
        fb_vote_upsampled_seam (s, cells, row0, row1);
        return 0;
      case FB_BLOCK_SEAM:
        return 1;
    }
  }
  fb_vote_upsampled_entry (s, t, coarse, 2 * qx, 2 * qy, radius, row0);
  fb_vote_upsampled_entry (s, t, coarse, 2 * qx + 1, 2 * qy, radius, row0 + 3);
  fb_vote_upsampled_entry (s, t, coarse, 2 * qx, 2 * qy + 1, radius, row1);
  fb_vote_upsampled_entry (s, t, coarse, 2 * qx + 1, 2 * qy + 1, radius, row1 + 3);
  return 0;
}

/* The 8-bit fixed-point bilinear mix of four neighbours, weights wx, wy in 1/256. */
FB_FUNC int
fb_bilinear_mix (int top_left, int top_right, int bottom_left, int bottom_right, int wx,
    int wy)
{
  int top = top_left * (256 - wx) + top_right * wx;
  int bottom = bottom_left * (256 - wx) + bottom_right * wx;

  return (top * (256 - wy) + bottom * wy + 32768) >> 16;
}

/* Bilinear sample of `channels` bytes at (x, y) in 8-bit fixed point, for points at
 * least one pixel inside the image (the caller checks): the hot loops' version of
 * fb_sample_bilinear. */
FB_FUNC void
fb_sample_bilinear_inside (const uint8_t * data, int stride, int channels, float x, float y,
    uint8_t * out)
{
  int x0 = (int) x, y0 = (int) y, c;
  int wx = (int) ((x - x0) * 256.0f), wy = (int) ((y - y0) * 256.0f);
  const uint8_t *p = data + (size_t) y0 * stride + x0 * channels;

  for (c = 0; c < channels; c++)
    out[c] = (uint8_t) fb_bilinear_mix (p[c], p[c + channels], p[c + stride],
        p[c + stride + channels], wx, wy);
}

/* Bilinear sample of a packed 8-bit image with `channels` at (x, y), edges clamped. */
FB_FUNC void
fb_sample_bilinear (const uint8_t * data, int stride, int width, int height, int channels,
    float x, float y, float *out)
{
  int x0, y0, x1, y1, c;
  float fx, fy;
  x = x < 0 ? 0 : (x > width - 1 ? width - 1 : x);
  y = y < 0 ? 0 : (y > height - 1 ? height - 1 : y);
  x0 = (int) x;
  y0 = (int) y;
  x1 = x0 + 1 < width ? x0 + 1 : x0;
  y1 = y0 + 1 < height ? y0 + 1 : y0;
  fx = x - x0;
  fy = y - y0;
  for (c = 0; c < channels; c++) {
    float a = data[(size_t) y0 * stride + x0 * channels + c] * (1 - fx)
        + data[(size_t) y0 * stride + x1 * channels + c] * fx;
    float b = data[(size_t) y1 * stride + x0 * channels + c] * (1 - fx)
        + data[(size_t) y1 * stride + x1 * channels + c] * fx;
    out[c] = a * (1 - fy) + b * fy;
  }
}
