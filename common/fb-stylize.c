/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-stylize.h"

#include <math.h>
#include <string.h>

#include "fb-guide.h"
#include "fb-mask.h"
#include "fb-mls.h"
#include "fb-synthesis.h"

/* Coarsest StyleBlit seed spacing at the exemplar's full resolution. */
#define COARSEST_SPACING_LOG2 6
#define MLS_GRID_SPACING 8
/* How far (in octaves) past the midpoint between two pyramid levels a face's size must
 * go before it changes level. */
#define LEVEL_HYSTERESIS 0.15f

struct FbFaceStylizer {
  /* temporal state: the previous frame in canonical space */
  const FbStyle *prev_style;
  int prev_level;
  int prev_synthesis_shift;
  FbRect prev_region;           /* at the synthesis resolution */
  FbImage *prev_output;
  int32_t *prev_nnf;            /* prev_region-sized */
  float *prev_settled;          /* prev_region-sized: the guides of each choice */
  float prev_threshold;
  float prev_lambda_temporal;

  /* per-frame buffers, kept to avoid allocating in the streaming thread */
  FbImage *luma;
  FbImage *guide;
  FbImage *coverage;            /* feathered mask at 1 / 2^coverage_shift resolution */
  int coverage_shift;
  FbImage *output;
  float *pos;
  FbPoint *nodes;
  gint *node_rows_done;         /* build_guides' counters, as many as nodes */
  int32_t *previous;            /* prev_nnf moved into this frame's region */
  float *previous_settled;      /* and prev_settled */
  float *settled;
  int32_t *nnf;
  size_t pixels_capacity;
  size_t nodes_capacity;
  FbSeedLevels seeds;
};

FbFaceStylizer *
fb_face_stylizer_new (void)
{
  return g_new0 (FbFaceStylizer, 1);
}

void
fb_face_stylizer_free (FbFaceStylizer * fs)
{
  if (!fs)
    return;
  fb_image_free (fs->prev_output);
  fb_image_free (fs->luma);
  fb_image_free (fs->guide);
  fb_image_free (fs->coverage);
  fb_image_free (fs->output);
  g_free (fs->pos);
  g_free (fs->nodes);
  g_free (fs->node_rows_done);
  g_free (fs->previous);
  g_free (fs->previous_settled);
  g_free (fs->settled);
  g_free (fs->prev_settled);
  g_free (fs->prev_nnf);
  g_free (fs->nnf);
  fb_seed_levels_clear (&fs->seeds);
  g_free (fs);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Milliseconds since *since, which moves on to now. */
static double
lap_ms (double *since)
{
  double now = now_ms (), lap = now - *since;

  *since = now;
  return lap;
}

static void
ensure_pixel_buffers (FbFaceStylizer * fs, size_t pixels)
{
  if (pixels <= fs->pixels_capacity)
    return;
  fs->pos = g_renew (float, fs->pos, 2 * pixels);
  fs->previous = g_renew (int32_t, fs->previous, pixels);
  fs->previous_settled = g_renew (float, fs->previous_settled, 3 * pixels);
  fs->settled = g_renew (float, fs->settled, 3 * pixels);
  fs->prev_settled = g_renew (float, fs->prev_settled, 3 * pixels);
  fs->nnf = g_renew (int32_t, fs->nnf, pixels);
  fs->prev_nnf = g_renew (int32_t, fs->prev_nnf, pixels);
  fs->pixels_capacity = pixels;
}

/* Frame -> canonical space of style level `level`: the landmark alignment onto the
 * exemplar, then the level's pixel-centre scaling p_l = (p + 0.5) / 2^l - 0.5. */
static FbSimilarity
canonical_transform (FbSimilarity to_style, int level)
{
  float k = 1.0f / (1 << level);
  FbSimilarity c = { to_style.a * k, to_style.b * k, (to_style.tx + 0.5f) * k - 0.5f,
    (to_style.ty + 0.5f) * k - 0.5f
  };
  return c;
}

/* Bounding box (integer, half-open) of a transformed rectangle's corners. */
static FbRect
transformed_bounds (FbSimilarity s, float x0, float y0, float x1, float y1)
{
  FbPoint corners[4] = { {x0, y0}, {x1, y0}, {x0, y1}, {x1, y1} };
  float minx = G_MAXFLOAT, miny = G_MAXFLOAT, maxx = -G_MAXFLOAT, maxy = -G_MAXFLOAT;
  FbRect r;
  int i;

  for (i = 0; i < 4; i++) {
    FbPoint p = fb_similarity_apply (s, corners[i]);
    minx = MIN (minx, p.x);
    miny = MIN (miny, p.y);
    maxx = MAX (maxx, p.x);
    maxy = MAX (maxy, p.y);
  }
  r.x = (int) floorf (minx);
  r.y = (int) floorf (miny);
  r.width = (int) ceilf (maxx) + 1 - r.x;
  r.height = (int) ceilf (maxy) + 1 - r.y;
  return r;
}

/* The synthesis runs in the canonical space of style level `level + synthesis_shift`;
 * its result is upsampled into level `level`'s, the output. */
typedef struct {
  FbFaceStylizer *fs;
  const FbImage *frame_luma;
  int synthesis_shift;
  FbSimilarity synthesis_to_frame;
  FbSimilarity to_canonical;    /* frame -> output canonical space */
  FbRect synthesis_region;
  FbRect region;                /* synthesis_region at the output resolution */
  const FbMlsField *field;
} StylizeJob;

/* Pixels per step of the resampling's fast path: its arrays stay in L1. */
#define RESAMPLE_SPAN 64

/* fb_bilinear_mix of the pixel at p, its right neighbour and the two below. */
static inline uint8_t
bilinear_at (const uint8_t * p, int stride, int wx, int wy)
{
  return (uint8_t) fb_bilinear_mix (p[0], p[1], p[stride], p[stride + 1], wx, wy);
}

/* Whether the n positions f + i (dx, dy), summed one after the other in floats, all
 * lie in [0, last_x) x [0, last_y). Each sum rounds by at most 2^-24 of its size, so
 * the sums stay within `margin` of the exact positions, which move in a straight line
 * and are inside at both ends. */
static gboolean
sums_stay_inside (FbPoint f, float dx, float dy, int n, float last_x, float last_y)
{
  double end_x = f.x + (double) (n - 1) * dx, end_y = f.y + (double) (n - 1) * dy;
  double size = fabs (f.x) + fabs (f.y) + (fabs (dx) + fabs (dy)) * n + 1;
  double margin = 1 + n * size / (1 << 22);

  return MIN (f.x, end_x) >= margin && MAX (f.x, end_x) <= last_x - margin
      && MIN (f.y, end_y) >= margin && MAX (f.y, end_y) <= last_y - margin;
}

/* The frame's luma resampled into the synthesis region. The sample positions are
 * running float sums along each row (changing that would move them by a rounding
 * error, and the output with them). Rows that stay inside the frame take a path
 * without checks: the sums first, then their fixed-point forms (which vectorise), then
 * the mixes. fb_sample_bilinear_inside's three conversions per coordinate become one:
 * f * 256 is exact, and truncating it (f >= 0) gives floor (f) in its high bits and the
 * weight in its low byte. */
static void
resample_luma (StylizeJob * job)
{
  const FbImage *src = job->frame_luma;
  FbImage *dst = job->fs->luma;
  /* in locals: the byte stores below could otherwise change them for the compiler */
  const uint8_t *pixels = src->data;
  int stride = src->stride, width = src->width, height = src->height;
  int out_width = dst->width, x, y, i;
  float last_x = width - 1, last_y = height - 1;
  FbSimilarity to_frame = job->synthesis_to_frame;
  float fx[RESAMPLE_SPAN], fy[RESAMPLE_SPAN];
  int32_t offsets[RESAMPLE_SPAN], wx[RESAMPLE_SPAN], wy[RESAMPLE_SPAN];

  for (y = 0; y < dst->height; y++) {
    uint8_t *row = fb_image_row (dst, y);
    FbPoint start = { job->synthesis_region.x, job->synthesis_region.y + y };
    FbPoint f = fb_similarity_apply (to_frame, start);

    if (sums_stay_inside (f, to_frame.a, to_frame.b, out_width, last_x, last_y)) {
      for (x = 0; x < out_width; x += RESAMPLE_SPAN) {
        int span = MIN (RESAMPLE_SPAN, out_width - x);
        for (i = 0; i < span; i++, f.x += to_frame.a, f.y += to_frame.b) {
          fx[i] = f.x;
          fy[i] = f.y;
        }
        for (i = 0; i < span; i++) {
          int sx = (int) (fx[i] * 256.0f), sy = (int) (fy[i] * 256.0f);
          offsets[i] = (sy >> 8) * stride + (sx >> 8);
          wx[i] = sx & 255;
          wy[i] = sy & 255;
        }
        for (i = 0; i < span; i++)
          row[x + i] = bilinear_at (pixels + offsets[i], stride, wx[i], wy[i]);
      }
      continue;
    }
    for (x = 0; x < out_width; x++, f.x += to_frame.a, f.y += to_frame.b) {
      float v;
      if (f.x >= 0 && f.y >= 0 && f.x < last_x && f.y < last_y) {
        int sx = (int) (f.x * 256.0f), sy = (int) (f.y * 256.0f);
        row[x] = bilinear_at (pixels + (size_t) (sy >> 8) * stride + (sx >> 8), stride,
            sx & 255, sy & 255);
        continue;
      }
      fb_sample_bilinear (pixels, stride, width, height, 1, f.x, f.y, &v);
      row[x] = (uint8_t) (v + 0.5f);
    }
  }
}

/* The previous frame lives in the same canonical space, so the landmark alignment has
 * already warped it onto this frame: copying by canonical position is the warp. */
static void
history_job (void *data, int index, int count)
{
  StylizeJob *job = data;
  FbFaceStylizer *fs = job->fs;
  FbRect prev = fs->prev_region, region = job->synthesis_region;
  int y0, y1, x, y;

  fb_band_rows (region.height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    int32_t *previous = fs->previous + (size_t) y * region.width;
    float *settled = fs->previous_settled + (size_t) y * region.width * 3;
    int py = region.y + y - prev.y;
    for (x = 0; x < region.width; x++) {
      int px = region.x + x - prev.x;
      size_t p = (size_t) py * prev.width + px;
      if (px < 0 || py < 0 || px >= prev.width || py >= prev.height) {
        previous[x] = -1;
        continue;
      }
      previous[x] = fs->prev_nnf[p];
      memcpy (settled + 3 * x, fs->prev_settled + 3 * p, 3 * sizeof (float));
    }
  }
}


/* The feathered head mask, which limits the synthesis and blends the result (unless the
 * background is painted too). A wide feather makes it smooth, so it is rendered at a
 * quarter of the resolution then. */
static void
render_coverage (FbFaceStylizer * fs, const FbLandmarks * canonical_lm, FbRect region,
    float feather)
{
  int shift = feather >= 8 ? 2 : 0;
  float k = 1.0f / (1 << shift);
  FbSimilarity to_coverage = { k, 0, (0.5f - region.x) * k - 0.5f,
    (0.5f - region.y) * k - 0.5f
  };
  FbLandmarks lm;

  fs->coverage_shift = shift;
  fb_image_ensure (&fs->coverage, ((region.width - 1) >> shift) + 1,
      ((region.height - 1) >> shift) + 1, 1);
  fb_landmarks_transform (canonical_lm, to_coverage, &lm);
  fb_face_mask_render (&lm, 0, 0, feather * k, fs->coverage);
}

/* Matches the appearance guide's histogram inside the face to the style's. The face is
 * where the feathered mask is above half (the hard outline, for a symmetric blur); one
 * guide pixel per coverage sample is plenty for a histogram. */
static void
match_face_histogram (FbFaceStylizer * fs, const FbHistogram * reference)
{
  const FbImage *coverage = fs->coverage, *guide = fs->guide;
  int shift = fs->coverage_shift, centre = (1 << shift) / 2, i, j;
  guint64 counts[256] = { 0 };
  FbHistogram face;

  for (j = 0; j < coverage->height; j++) {
    const uint8_t *inside = fb_image_row (coverage, j);
    const uint8_t *row = fb_image_row (guide, MIN ((j << shift) + centre, guide->height - 1));
    for (i = 0; i < coverage->width; i++)
      if (inside[i] > 127)
        counts[row[MIN ((i << shift) + centre, guide->width - 1)]]++;
  }
  fb_histogram_from_counts (counts, &face);
  fb_histogram_match_to (fs->guide, &face, reference);
}

static size_t
region_pixels (FbRect region)
{
  return (size_t) region.width * region.height;
}

/* Folds a distance beyond an edge back and forth inside a band of width `band`. */
static float
fold_into_band (float beyond, float band)
{
  float f = fmodf (beyond, 2 * band);
  return f > band ? 2 * band - f : f;
}

/* Far from the face the positional guide leaves the exemplar. Clamping it would smear
 * the exemplar's edge rows into streaks, and mirroring the whole exemplar would tile its
 * face over the background; folding it into a band along the exemplar's border (where
 * portraits have their background: paper, canvas, wall) continues that texture. */
static void
fold_into_style_border (float *pos, size_t n, int width, int height)
{
  float band = MAX (0.08f * MIN (width, height), 4.0f), right = width - 1, bottom = height - 1;
  size_t i;

  for (i = 0; i < n; i++) {
    float x = pos[2 * i], y = pos[2 * i + 1];
    if (x < 0)
      pos[2 * i] = fold_into_band (-x, band);
    else if (x > right)
      pos[2 * i] = right - fold_into_band (x - right, band);
    if (y < 0)
      pos[2 * i + 1] = fold_into_band (-y, band);
    else if (y > bottom)
      pos[2 * i + 1] = bottom - fold_into_band (y - bottom, band);
  }
}

/* Replaces the output with a picture of one of the intermediate results, which are
 * at the synthesis resolution: 1 / 2^shift of the output's. Called once this frame's
 * NNF has become prev_nnf. */
static void
render_debug_view (FbFaceStylizer * fs, const FbStyleLevel * synthesis_level,
    FbDebugView view, FbRect synthesis_region, int shift)
{
  int mask_shift = fs->coverage_shift + shift, synthesis_width = synthesis_region.width,
      x, y;

  for (y = 0; y < fs->output->height; y++) {
    uint8_t *out = fb_image_row (fs->output, y);
    for (x = 0; x < fs->output->width; x++, out += 3) {
      size_t i = (size_t) (y >> shift) * synthesis_width + (x >> shift);
      int32_t o;
      uint32_t h;
      switch (view) {
        case FB_DEBUG_VIEW_POSITIONAL_GUIDE:
          out[0] = (uint8_t) CLAMP (fs->pos[2 * i] * 255 / synthesis_level->rgb->width,
              0, 255);
          out[1] = (uint8_t) CLAMP (fs->pos[2 * i + 1] * 255
              / synthesis_level->rgb->height, 0, 255);
          out[2] = 0;
          break;
        case FB_DEBUG_VIEW_APPEARANCE_GUIDE:
          out[0] = out[1] = out[2] = fs->guide->data[i];
          break;
        case FB_DEBUG_VIEW_CHUNKS:
          /* pixels of one chunk share their offset o - p */
          o = fs->prev_nnf[i];
          h = fb_chunk_id (synthesis_region.x + (x >> shift), synthesis_region.y
              + (y >> shift), FB_PIXEL_X (o), FB_PIXEL_Y (o));
          out[0] = 64 + (h & 0xBF);
          out[1] = 64 + ((h >> 8) & 0xBF);
          out[2] = 64 + ((h >> 16) & 0xBF);
          break;
        case FB_DEBUG_VIEW_MASK:
          out[0] = out[1] = out[2] = fb_image_row (fs->coverage,
              y >> mask_shift)[x >> mask_shift];
          break;
        default:
          return;
      }
    }
  }
}

/* The level whose face is closest in size to this one: small faces use a smaller
 * exemplar rather than an upscaled frame. A face near the middle between two levels
 * keeps the one it has: every change of level starts the synthesis afresh, which costs
 * a slow frame and shows as a change of texture. */
static int
choose_level (const FbFaceStylizer * fs, const FbStyle * style, FbSimilarity to_style)
{
  float ideal = log2f (MAX (fb_similarity_scale (to_style), 1e-3f));
  int level = (int) floorf (ideal + 0.5f);

  if (fs->prev_output && fs->prev_style == style
      && fabsf (ideal - fs->prev_level) < 0.5f + LEVEL_HYSTERESIS)
    level = fs->prev_level;
  return CLAMP (level, 0, style->n_levels - 1);
}

/* Canonical pixels that the head's feathered mask and the voting window can reach. */
static FbRect
head_region (const FbLandmarks * canonical_lm, float feather, int voting)
{
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  float minx = G_MAXFLOAT, miny = G_MAXFLOAT, maxx = -G_MAXFLOAT, maxy = -G_MAXFLOAT;
  /* the feathered mask is below 1 % beyond 2.5 sigma */
  int margin = (int) ceilf (2.5f * feather) + voting / 2 + 2, i;
  FbRect region;

  fb_face_outline (canonical_lm, outline);
  for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
    minx = MIN (minx, outline[i].x);
    miny = MIN (miny, outline[i].y);
    maxx = MAX (maxx, outline[i].x);
    maxy = MAX (maxy, outline[i].y);
  }
  region.x = (int) floorf (minx) - margin;
  region.y = (int) floorf (miny) - margin;
  region.width = (int) ceilf (maxx) + margin + 1 - region.x;
  region.height = (int) ceilf (maxy) + margin + 1 - region.y;
  return region;
}

/* This frame's choices become the next frame's temporal guide, with the rules they
 * were made under; its output the next frame's spare buffer (swapped, not copied). */
static void
keep_for_next_frame (FbFaceStylizer * fs, const FbStyle * style, int level,
    const StylizeJob * job, const FbRenderParams * params)
{
  FbImage *output = fs->prev_output;
  int32_t *nnf = fs->prev_nnf;
  float *settled = fs->prev_settled;

  fs->prev_output = fs->output;
  fs->output = output;
  fs->prev_nnf = fs->nnf;
  fs->nnf = nnf;
  fs->prev_settled = fs->settled;
  fs->settled = settled;
  fs->prev_style = style;
  fs->prev_level = level;
  fs->prev_synthesis_shift = job->synthesis_shift;
  fs->prev_region = job->synthesis_region;
  fs->prev_threshold = params->threshold;
  fs->prev_lambda_temporal = params->lambda_temporal;
}

/* What the jobs of build_guides share. */
typedef struct {
  StylizeJob *job;
  const FbStyleLevel *level;
  const FbLandmarks *canonical_lm;
  float feather;
  gboolean stylize_background;
  /* per band of pixel rows between two node rows: how many of the two are done */
  gint *node_rows_done;
  int pixel_bands;
} GuidesJob;

/* The positional guide in pixel rows [y0, y1), whose nodes are known. */
static void
positional_guide_rows (const GuidesJob * guides, int y0, int y1)
{
  const FbMlsField *field = guides->job->field;

  fb_mls_field_interpolate (field, y0, y1);
  if (guides->stylize_background)
    fold_into_style_border (field->field + (size_t) 2 * y0 * field->width,
        (size_t) (y1 - y0) * field->width, guides->level->rgb->width,
        guides->level->rgb->height);
}

/* Job 0 runs the chain of steps that ends in the histogram-matched appearance guide
 * (each step needs the one before, or is too short to share out); job 1 + j evaluates
 * the MLS field's node row j meanwhile, which needs nothing else, so that whichever
 * thread is free takes the next row. The pixel rows between node rows j and j + 1 are
 * interpolated by the job that finishes the second of the two: no second pass over
 * the threads is needed. */
static void
guides_job (void *data, int index, int count)
{
  GuidesJob *guides = data;
  FbFaceStylizer *fs = guides->job->fs;
  const FbMlsField *field = guides->job->field;
  int row = index - 1, band;

  if (index == 0) {
    resample_luma (guides->job);
    fb_appearance_guide (fs->luma, FB_GUIDE_BLUR_FRACTION * guides->level->face_width,
        &fs->guide);
    render_coverage (fs, guides->canonical_lm, guides->job->synthesis_region,
        guides->feather);
    match_face_histogram (fs, &guides->level->histogram);
    return;
  }
  fb_mls_field_nodes (field, row, row + 1);
  for (band = MAX (row - 1, 0); band <= MIN (row, guides->pixel_bands - 1); band++)
    if (g_atomic_int_add (&guides->node_rows_done[band], 1) == 1)
      positional_guide_rows (guides, band * field->spacing,
          MIN ((band + 1) * field->spacing, field->height));
}

/* Luma resampled into canonical space, the appearance guide matched to the style's
 * histogram inside the face, the face mask and the MLS positional guide. */
static void
build_guides (FbFaceStylizer * fs, FbWorkers * workers, StylizeJob * job,
    const FbStyleLevel * level, const FbLandmarks * canonical_lm, float feather,
    gboolean stylize_background)
{
  FbRect region = job->synthesis_region;
  size_t nodes = fb_mls_grid_nodes (region.width, region.height, MLS_GRID_SPACING);
  FbMlsField field = { canonical_lm->points, level->landmarks.points, FB_N_LANDMARKS,
    region.x, region.y, region.width, region.height, MLS_GRID_SPACING
  };
  int pixel_bands = (region.height + MLS_GRID_SPACING - 1) / MLS_GRID_SPACING;
  GuidesJob guides = { job, level, canonical_lm, feather, stylize_background, NULL,
    pixel_bands
  };

  fb_image_ensure (&fs->luma, region.width, region.height, 1);
  if (nodes > fs->nodes_capacity) {
    fs->nodes = g_renew (FbPoint, fs->nodes, nodes);
    fs->node_rows_done = g_renew (gint, fs->node_rows_done, nodes);
    fs->nodes_capacity = nodes;
  }
  guides.node_rows_done = fs->node_rows_done;
  memset (guides.node_rows_done, 0, pixel_bands * sizeof (gint));
  field.nodes = fs->nodes;
  field.field = fs->pos;
  job->field = &field;
  fb_workers_run (workers, guides_job, &guides, 1 + fb_mls_field_node_rows (&field));
  job->field = NULL;
}

/* The previous frame's choices, when they belong to the same canonical space: the
 * temporal guide. Returns whether there was history. */
static gboolean
build_temporal_guide (FbFaceStylizer * fs, FbWorkers * workers, StylizeJob * job,
    const FbStyle * style, int level_index)
{
  gboolean use_history = fs->prev_output && fs->prev_style == style
      && fs->prev_level == level_index && fs->prev_synthesis_shift == job->synthesis_shift;

  if (use_history)
    fb_workers_run (workers, history_job, job,
        fb_band_count (workers, job->synthesis_region.height));
  return use_history;
}

static FbBlitTarget
synthesis_target (FbFaceStylizer * fs, const StylizeJob * job, const FbStyle * style,
    const FbStyleLevel * level, const FbRenderParams * params, gboolean use_history)
{
  FbBlitTarget t = { 0 };

  t.x0 = job->synthesis_region.x;
  t.y0 = job->synthesis_region.y;
  t.width = job->synthesis_region.width;
  t.height = job->synthesis_region.height;
  t.pos = fs->pos;
  t.app = fs->guide->data;
  t.previous = use_history ? fs->previous : NULL;
  /* settled choices are kept only under the rules they were made with */
  t.settled = use_history && params->threshold == fs->prev_threshold
      && params->lambda_temporal == fs->prev_lambda_temporal ? fs->previous_settled : NULL;
  t.coverage = params->stylize_background ? NULL : fs->coverage->data;
  t.coverage_stride = fs->coverage->stride;
  t.coverage_width = fs->coverage->width;
  t.coverage_height = fs->coverage->height;
  t.coverage_shift = fs->coverage_shift;
  t.lambda_pos = level->lambda_pos_px;
  t.lambda_app = style->params.lambda_app;
  t.lambda_temporal = params->lambda_temporal;
  t.threshold = params->threshold;
  return t;
}

/* Votes at the output resolution, on the synthesis' NNF upsampled to it if need be. */
static void
vote (FbFaceStylizer * fs, FbWorkers * workers, const StylizeJob * job,
    const FbStyleLevel * level, const FbBlitTarget * synthesis, int voting)
{
  FbBlitStyle style = fb_blit_style_from_level (level);
  FbBlitTarget t = *synthesis;

  /* Voting reads only the NNF and where the face shows. */
  t.x0 = job->region.x;
  t.y0 = job->region.y;
  t.width = job->region.width;
  t.height = job->region.height;
  t.pos = NULL;
  t.app = NULL;
  t.previous = NULL;
  t.coverage_shift += job->synthesis_shift;
  fb_image_ensure (&fs->output, t.width, t.height, 3);
  if (job->synthesis_shift)
    fb_synthesis_vote_upsampled (workers, &style, &t, fs->nnf, voting, fs->output);
  else
    fb_synthesis_vote (workers, &style, &t, fs->nnf, voting, fs->output);
}

/* The frame rectangle the output region covers, and where its colours and their
 * opacity come from. Returns FALSE when it is outside the frame. */
static gboolean
patch_for (FbFaceStylizer * fs, StylizeJob * job, const FbImage * source,
    const FbRenderParams * params, FbFacePatch * patch)
{
  FbSimilarity to_frame = fb_similarity_invert (job->to_canonical);
  FbRect region = job->region;
  FbRect frame_rect = { 0, 0, job->frame_luma->width, job->frame_luma->height };
  FbRect patch_rect = fb_rect_intersect (transformed_bounds (to_frame, region.x - 0.5f,
          region.y - 0.5f, region.x + region.width - 0.5f, region.y + region.height - 0.5f),
      frame_rect);
  FbPatchSource from = { job->to_canonical, region, source,
    params->stylize_background ? NULL : fs->coverage,
    fs->coverage_shift + job->synthesis_shift,
    /* Without voting the user asked for untouched exemplar pixels. */
    params->voting == 1
  };

  if (patch_rect.width < 1 || patch_rect.height < 1)
    return FALSE;
  patch->rect = patch_rect;
  patch->source = from;
  return TRUE;
}

gboolean
fb_face_stylizer_run (FbFaceStylizer * fs, FbWorkers * workers, const FbStyle * style,
    const FbImage * frame_luma, const FbLandmarks * lm, const FbRenderParams * params,
    FbFacePatch * patch, FbStageTimes * times)
{
  const FbStyleLevel *level, *synthesis_level;
  FbSimilarity to_style = fb_landmarks_align (lm, &style->levels[0].landmarks);
  FbSimilarity synthesis_to_canonical;
  FbLandmarks canonical_lm;
  StylizeJob job = { fs, frame_luma };
  FbBlitStyle blit_style;
  FbBlitTarget target;
  FbRect region, frame_in_canonical;
  const FbImage *source;
  float feather;
  int level_index, shift;
  gboolean use_history, shown;
  double t0 = now_ms ();

  level_index = choose_level (fs, style, to_style);
  shift = MIN (CLAMP (params->synthesis_shift, 0, 1),
      style->n_levels - 1 - level_index);
  level = &style->levels[level_index];
  synthesis_level = &style->levels[level_index + shift];
  job.synthesis_shift = shift;
  job.to_canonical = canonical_transform (to_style, level_index);
  synthesis_to_canonical = canonical_transform (to_style, level_index + shift);
  job.synthesis_to_frame = fb_similarity_invert (synthesis_to_canonical);
  fb_landmarks_transform (lm, synthesis_to_canonical, &canonical_lm);

  feather = params->mask_feather * synthesis_level->face_width;
  frame_in_canonical = transformed_bounds (synthesis_to_canonical, -0.5f, -0.5f,
      frame_luma->width - 0.5f, frame_luma->height - 0.5f);
  region = params->stylize_background ? frame_in_canonical
      : fb_rect_intersect (head_region (&canonical_lm, feather, params->voting),
      frame_in_canonical);
  if (region.width < 2 || region.height < 2)
    return FALSE;
  job.synthesis_region = region;
  job.region.x = region.x * (1 << shift);
  job.region.y = region.y * (1 << shift);
  job.region.width = region.width << shift;
  job.region.height = region.height << shift;
  ensure_pixel_buffers (fs, region_pixels (region));

  build_guides (fs, workers, &job, synthesis_level, &canonical_lm, feather,
      params->stylize_background);
  times->guides += lap_ms (&t0);

  use_history = build_temporal_guide (fs, workers, &job, style, level_index);
  times->temporal += lap_ms (&t0);

  blit_style = fb_blit_style_from_level (synthesis_level);
  target = synthesis_target (fs, &job, style, synthesis_level, params, use_history);
  fb_synthesis_seeds (workers, &target,
      MAX (COARSEST_SPACING_LOG2 + 1 - level_index - shift, 2), use_history, &fs->seeds);
  times->seeds += lap_ms (&t0);

  fb_synthesis_nnf (workers, &blit_style, &target, &fs->seeds, fs->nnf, fs->settled);
  times->synthesis += lap_ms (&t0);

  vote (fs, workers, &job, level, &target, params->voting);
  times->voting += lap_ms (&t0);

  keep_for_next_frame (fs, style, level_index, &job, params);
  source = fs->prev_output;
  if (params->debug_view != FB_DEBUG_VIEW_NONE
      && params->debug_view != FB_DEBUG_VIEW_LANDMARKS) {
    fb_image_ensure (&fs->output, job.region.width, job.region.height, 3);
    render_debug_view (fs, synthesis_level, params->debug_view, region, shift);
    source = fs->output;
  }
  shown = patch_for (fs, &job, source, params, patch);
  times->compositing += lap_ms (&t0);
  return shown;
}
