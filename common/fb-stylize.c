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
/* Blur of the previous output and of the exemplar compared by the temporal term. */
#define TEMPORAL_BLUR_FRACTION 0.01f

struct FbFaceStylizer {
  /* temporal state: the previous output in canonical space */
  const FbStyle *prev_style;
  int prev_level;
  FbRect prev_region;
  FbImage *prev_output;
  FbImage *prev_half;           /* prev_output at half resolution */
  FbImage *prev_blurred;        /* prev_half blurred: the temporal term's reference */
  int32_t *prev_nnf;            /* prev_region-sized */

  /* per-frame buffers, kept to avoid allocating in the streaming thread */
  FbImage *luma;
  FbImage *guide;
  FbImage *coverage;            /* feathered mask at 1 / 2^coverage_shift resolution */
  int coverage_shift;
  FbImage *output;
  FbImage *patch_rgb;
  FbImage *patch_alpha;
  float *pos;
  FbPoint *nodes;
  uint8_t *temporal;
  int32_t *previous;            /* prev_nnf moved into this frame's region */
  int32_t *nnf;
  uint32_t *chunks;
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
  fb_image_free (fs->prev_half);
  fb_image_free (fs->prev_blurred);
  fb_image_free (fs->luma);
  fb_image_free (fs->guide);
  fb_image_free (fs->coverage);
  fb_image_free (fs->output);
  fb_image_free (fs->patch_rgb);
  fb_image_free (fs->patch_alpha);
  g_free (fs->pos);
  g_free (fs->nodes);
  g_free (fs->temporal);
  g_free (fs->previous);
  g_free (fs->prev_nnf);
  g_free (fs->nnf);
  g_free (fs->chunks);
  fb_seed_levels_clear (&fs->seeds);
  g_free (fs);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
ensure_pixel_buffers (FbFaceStylizer * fs, size_t pixels)
{
  if (pixels <= fs->pixels_capacity)
    return;
  fs->pos = g_renew (float, fs->pos, 2 * pixels);
  fs->temporal = g_renew (uint8_t, fs->temporal, 4 * pixels);
  fs->previous = g_renew (int32_t, fs->previous, pixels);
  fs->nnf = g_renew (int32_t, fs->nnf, pixels);
  fs->prev_nnf = g_renew (int32_t, fs->prev_nnf, pixels);
  fs->chunks = g_renew (uint32_t, fs->chunks, pixels);
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

typedef struct {
  FbFaceStylizer *fs;
  const FbImage *frame_luma;
  FbSimilarity to_frame;        /* canonical -> frame */
  FbSimilarity to_canonical;    /* frame -> canonical */
  FbRect region;
  FbRect patch;
  const FbImage *source;        /* what the patch samples: output or a debug view */
  gboolean nearest;             /* copy source pixels instead of interpolating them */
  gboolean opaque;              /* the whole region shows (background painted too) */
  gboolean with_temporal_colours;
  const FbMlsField *field;
} StylizeJob;

static void
mls_nodes_job (void *data, int index, int count)
{
  StylizeJob *job = data;
  int j0, j1;

  fb_band_rows (fb_mls_field_node_rows (job->field), index, count, &j0, &j1);
  fb_mls_field_nodes (job->field, j0, j1);
}

static void
mls_interpolate_job (void *data, int index, int count)
{
  StylizeJob *job = data;
  int y0, y1;

  fb_band_rows (job->field->height, index, count, &y0, &y1);
  fb_mls_field_interpolate (job->field, y0, y1);
}

static void
resample_luma_job (void *data, int index, int count)
{
  StylizeJob *job = data;
  const FbImage *src = job->frame_luma;
  FbImage *dst = job->fs->luma;
  int y0, y1, x, y;

  fb_band_rows (dst->height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *row = fb_image_row (dst, y);
    FbPoint start = { job->region.x, job->region.y + y };
    FbPoint f = fb_similarity_apply (job->to_frame, start);
    for (x = 0; x < dst->width; x++, f.x += job->to_frame.a, f.y += job->to_frame.b) {
      float v;
      if (f.x >= 0 && f.y >= 0 && f.x < src->width - 1 && f.y < src->height - 1) {
        fb_sample_bilinear_inside (src->data, src->stride, 1, f.x, f.y, row + x);
        continue;
      }
      fb_sample_bilinear (src->data, src->stride, src->width, src->height, 1, f.x, f.y, &v);
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
  FbRect prev = fs->prev_region, region = job->region;
  gboolean with_colours = job->with_temporal_colours;
  int y0, y1, x, y;

  fb_band_rows (region.height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *colours = fs->temporal + (size_t) y * region.width * 4;
    int32_t *previous = fs->previous + (size_t) y * region.width;
    int py = region.y + y - prev.y;
    for (x = 0; x < region.width; x++, colours += 4) {
      int px = region.x + x - prev.x;
      if (px < 0 || py < 0 || px >= prev.width || py >= prev.height) {
        colours[3] = 0;
        previous[x] = -1;
        continue;
      }
      previous[x] = fs->prev_nnf[(size_t) py * prev.width + px];
      if (with_colours) {
        memcpy (colours, fb_image_row (fs->prev_blurred, py >> 1) + 3 * (px >> 1), 3);
        colours[3] = 255;
      }
    }
  }
}

static void
patch_job (void *data, int index, int count)
{
  StylizeJob *job = data;
  FbFaceStylizer *fs = job->fs;
  const FbImage *src = job->source, *coverage = fs->coverage;
  float coverage_scale = 1.0f / (1 << fs->coverage_shift);
  int y0, y1, x, y;

  fb_band_rows (job->patch.height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *rgb = fb_image_row (fs->patch_rgb, y);
    uint8_t *alpha = fb_image_row (fs->patch_alpha, y);
    FbPoint start = { job->patch.x, job->patch.y + y };
    FbPoint c = fb_similarity_apply (job->to_canonical, start);
    for (x = 0; x < job->patch.width;
        x++, c.x += job->to_canonical.a, c.y += job->to_canonical.b) {
      float cx = c.x - job->region.x, cy = c.y - job->region.y, m, qx, qy, colour[3];
      if (cx < -0.5f || cy < -0.5f || cx > src->width - 0.5f || cy > src->height - 0.5f) {
        alpha[x] = 0;
        continue;
      }
      qx = (cx + 0.5f) * coverage_scale - 0.5f;
      qy = (cy + 0.5f) * coverage_scale - 0.5f;
      if (job->opaque) {
        alpha[x] = 255;
      } else if (qx >= 0 && qy >= 0 && qx < coverage->width - 1 && qy < coverage->height - 1) {
        fb_sample_bilinear_inside (coverage->data, coverage->stride, 1, qx, qy, alpha + x);
      } else {
        fb_sample_bilinear (coverage->data, coverage->stride, coverage->width,
            coverage->height, 1, qx, qy, &m);
        alpha[x] = (uint8_t) (m + 0.5f);
      }
      if (!alpha[x])
        continue;
      if (job->nearest) {
        int nx = CLAMP ((int) (cx + 0.5f), 0, src->width - 1);
        int ny = CLAMP ((int) (cy + 0.5f), 0, src->height - 1);
        memcpy (rgb + 3 * x, fb_image_row (src, ny) + 3 * nx, 3);
        continue;
      }
      if (cx >= 0 && cy >= 0 && cx < src->width - 1 && cy < src->height - 1) {
        fb_sample_bilinear_inside (src->data, src->stride, 3, cx, cy, rgb + 3 * x);
        continue;
      }
      fb_sample_bilinear (src->data, src->stride, src->width, src->height, 3, cx, cy,
          colour);
      rgb[3 * x] = (uint8_t) (colour[0] + 0.5f);
      rgb[3 * x + 1] = (uint8_t) (colour[1] + 0.5f);
      rgb[3 * x + 2] = (uint8_t) (colour[2] + 0.5f);
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

/* Replaces the output with a picture of one of the intermediate results. */
static void
render_debug_view (FbFaceStylizer * fs, const FbStyleLevel * level, FbDebugView view,
    FbRect region)
{
  int x, y;

  for (y = 0; y < region.height; y++) {
    uint8_t *out = fb_image_row (fs->output, y);
    for (x = 0; x < region.width; x++, out += 3) {
      size_t i = (size_t) y * region.width + x;
      uint32_t h;
      switch (view) {
        case FB_DEBUG_VIEW_POSITIONAL_GUIDE:
          out[0] = (uint8_t) CLAMP (fs->pos[2 * i] * 255 / level->rgb->width, 0, 255);
          out[1] = (uint8_t) CLAMP (fs->pos[2 * i + 1] * 255 / level->rgb->height, 0, 255);
          out[2] = 0;
          break;
        case FB_DEBUG_VIEW_APPEARANCE_GUIDE:
          out[0] = out[1] = out[2] = fb_image_row (fs->guide, y)[x];
          break;
        case FB_DEBUG_VIEW_CHUNKS:
          h = fs->chunks[i];
          out[0] = 64 + (h & 0xBF);
          out[1] = 64 + ((h >> 8) & 0xBF);
          out[2] = 64 + ((h >> 16) & 0xBF);
          break;
        case FB_DEBUG_VIEW_MASK:
          out[0] = out[1] = out[2] = fb_image_row (fs->coverage,
              y >> fs->coverage_shift)[x >> fs->coverage_shift];
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

/* This frame's output and choices become the next frame's temporal guide (swapped, not
 * copied). */
static void
keep_for_next_frame (FbFaceStylizer * fs, const FbStyle * style, int level, FbRect region)
{
  FbImage *output = fs->prev_output;
  int32_t *nnf = fs->prev_nnf;

  fs->prev_output = fs->output;
  fs->output = output;
  fs->prev_nnf = fs->nnf;
  fs->nnf = nnf;
  fs->prev_style = style;
  fs->prev_level = level;
  fs->prev_region = region;
}

gboolean
fb_face_stylizer_run (FbFaceStylizer * fs, FbWorkers * workers, const FbStyle * style,
    const FbImage * frame_luma, const FbLandmarks * lm, const FbRenderParams * params,
    FbFacePatch * patch, FbStageTimes * times)
{
  const FbStyleLevel *level0 = &style->levels[0], *level;
  FbSimilarity to_style = fb_landmarks_align (lm, &level0->landmarks);
  FbLandmarks canonical_lm;
  StylizeJob job = { fs, frame_luma };
  FbBlitStyle blit_style;
  FbBlitTarget target;
  FbRect region, frame_in_canonical, patch_rect;
  float feather;
  int level_index, bands;
  gboolean use_history;
  double t0 = now_ms (), t1;

  level_index = choose_level (fs, style, to_style);
  level = &style->levels[level_index];
  job.to_canonical = canonical_transform (to_style, level_index);
  job.to_frame = fb_similarity_invert (job.to_canonical);
  fb_landmarks_transform (lm, job.to_canonical, &canonical_lm);

  feather = params->mask_feather * level->face_width;
  frame_in_canonical = transformed_bounds (job.to_canonical, -0.5f, -0.5f,
      frame_luma->width - 0.5f, frame_luma->height - 0.5f);
  region = params->stylize_background ? frame_in_canonical
      : fb_rect_intersect (head_region (&canonical_lm, feather, params->voting),
      frame_in_canonical);
  if (region.width < 2 || region.height < 2)
    return FALSE;
  job.region = region;
  bands = fb_band_count (workers, region.height);

  /* Guides: luma resampled into canonical space, appearance guide matched to the
   * style's histogram inside the face, and the MLS positional guide. */
  ensure_pixel_buffers (fs, region_pixels (region));
  fb_image_ensure (&fs->luma, region.width, region.height, 1);
  fb_workers_run (workers, resample_luma_job, &job, bands);
  fb_appearance_guide (fs->luma, FB_GUIDE_BLUR_FRACTION * level->face_width, &fs->guide);
  render_coverage (fs, &canonical_lm, region, feather);
  match_face_histogram (fs, &level->histogram);
  {
    size_t nodes = fb_mls_grid_nodes (region.width, region.height, MLS_GRID_SPACING);
    FbMlsField field = { canonical_lm.points, level->landmarks.points, FB_N_LANDMARKS,
      region.x, region.y, region.width, region.height, MLS_GRID_SPACING
    };
    if (nodes > fs->nodes_capacity) {
      fs->nodes = g_renew (FbPoint, fs->nodes, nodes);
      fs->nodes_capacity = nodes;
    }
    field.nodes = fs->nodes;
    field.field = fs->pos;
    job.field = &field;
    fb_workers_run (workers, mls_nodes_job, &job,
        fb_band_count (workers, fb_mls_field_node_rows (&field)));
    fb_workers_run (workers, mls_interpolate_job, &job, bands);
    if (params->stylize_background)
      fold_into_style_border (fs->pos, region_pixels (region), level->rgb->width,
          level->rgb->height);
  }
  t1 = now_ms ();
  times->guides += t1 - t0;
  t0 = t1;


  /* Temporal guide: the previous frame's choices and its blurred output. */
  use_history = fs->prev_output && fs->prev_style == style && fs->prev_level == level_index;
  job.with_temporal_colours = use_history && params->lambda_temporal > 0;
  /* The comparison is between blurred images, so half resolution loses nothing. */
  if (job.with_temporal_colours) {
    fb_image_downscale_2x_into (fs->prev_output, &fs->prev_half);
    fb_blur (fs->prev_half, &fs->prev_blurred,
        TEMPORAL_BLUR_FRACTION * level->face_width / 2);
  }
  if (use_history)
    fb_workers_run (workers, history_job, &job, bands);
  t1 = now_ms ();
  times->temporal += t1 - t0;
  t0 = t1;

  blit_style = fb_blit_style_from_level (level);
  target.x0 = region.x;
  target.y0 = region.y;
  target.width = region.width;
  target.height = region.height;
  target.pos = fs->pos;
  target.app = fs->guide->data;
  target.temporal = job.with_temporal_colours ? fs->temporal : NULL;
  target.previous = use_history ? fs->previous : NULL;
  target.coverage = params->stylize_background ? NULL : fs->coverage->data;
  target.coverage_stride = fs->coverage->stride;
  target.coverage_width = fs->coverage->width;
  target.coverage_height = fs->coverage->height;
  target.coverage_shift = fs->coverage_shift;
  target.lambda_pos = level->lambda_pos_px;
  target.lambda_app = style->params.lambda_app;
  target.lambda_temporal = params->lambda_temporal;
  target.threshold = params->threshold;
  fb_synthesis_seeds (workers, &target, MAX (COARSEST_SPACING_LOG2 + 1 - level_index, 2),
      &fs->seeds);
  t1 = now_ms ();
  times->seeds += t1 - t0;
  t0 = t1;

  fb_synthesis_nnf (workers, &blit_style, &target, &fs->seeds, fs->nnf,
      params->debug_view == FB_DEBUG_VIEW_CHUNKS ? fs->chunks : NULL);
  t1 = now_ms ();
  times->synthesis += t1 - t0;
  t0 = t1;

  fb_image_ensure (&fs->output, region.width, region.height, 3);
  fb_synthesis_vote (workers, &blit_style, &target, fs->nnf, params->voting, fs->output);
  t1 = now_ms ();
  times->voting += t1 - t0;
  t0 = t1;

  keep_for_next_frame (fs, style, level_index, region);
  job.source = fs->prev_output;

  if (params->debug_view != FB_DEBUG_VIEW_NONE
      && params->debug_view != FB_DEBUG_VIEW_LANDMARKS) {
    fb_image_ensure (&fs->output, region.width, region.height, 3);
    render_debug_view (fs, level, params->debug_view, region);
    job.source = fs->output;
  }

  patch_rect = transformed_bounds (job.to_frame, region.x - 0.5f, region.y - 0.5f,
      region.x + region.width - 0.5f, region.y + region.height - 0.5f);
  {
    FbRect frame_rect = { 0, 0, frame_luma->width, frame_luma->height };
    patch_rect = fb_rect_intersect (patch_rect, frame_rect);
  }
  if (patch_rect.width < 1 || patch_rect.height < 1)
    return FALSE;
  job.patch = patch_rect;
  /* Without voting the user asked for untouched exemplar pixels. */
  job.nearest = params->voting == 1;
  job.opaque = params->stylize_background;
  fb_image_ensure (&fs->patch_rgb, patch_rect.width, patch_rect.height, 3);
  fb_image_ensure (&fs->patch_alpha, patch_rect.width, patch_rect.height, 1);
  fb_workers_run (workers, patch_job, &job, fb_band_count (workers, patch_rect.height));
  t1 = now_ms ();
  times->compositing += t1 - t0;

  patch->rect = patch_rect;
  patch->rgb = fs->patch_rgb;
  patch->alpha = fs->patch_alpha;
  return TRUE;
}
