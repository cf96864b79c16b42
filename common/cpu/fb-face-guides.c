/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-face-guides.h"

#include <math.h>
#include <string.h>

#include "fb-face-guides-pixel.h"
#include "fb-guide.h"
#include "fb-mask.h"

/* What the jobs of fb_face_guides_build share. */
typedef struct {
  FbFaceGuides *g;
  const FbFacePlan *plan;
  const FbImage *frame_luma;
  const FbMlsField *field;
  /* per band of pixel rows between two node rows: how many of the two are done */
  gint *node_rows_done;
  int pixel_bands;
} GuidesJob;

/* Pixels per step of the resampling's fast path: its arrays stay in L1. */
#define RESAMPLE_SPAN 64

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

/* The frame's luma resampled into the synthesis region (fb_resample_pixel along the
 * running sums of fb_resample_row_start). Rows that stay inside the frame take a path
 * without checks: the sums first, then their fixed-point forms (which vectorise), then
 * the mixes. */
static void
resample_luma (const FbImage * src, const FbFacePlan * plan, FbImage * dst)
{
  /* in locals: the byte stores below could otherwise change them for the compiler */
  const uint8_t *pixels = src->data;
  int stride = src->stride, width = src->width, height = src->height;
  int out_width = dst->width, x, y, i;
  FbSimilarity to_frame = plan->synthesis_to_frame;
  float fx[RESAMPLE_SPAN], fy[RESAMPLE_SPAN];
  int32_t offsets[RESAMPLE_SPAN], wx[RESAMPLE_SPAN], wy[RESAMPLE_SPAN];

  for (y = 0; y < dst->height; y++) {
    uint8_t *row = fb_image_row (dst, y);
    FbPoint f = fb_resample_row_start (to_frame, plan->synthesis_region, y);

    if (sums_stay_inside (f, to_frame.a, to_frame.b, out_width, width - 1, height - 1)) {
      for (x = 0; x < out_width; x += RESAMPLE_SPAN) {
        int span = MIN (RESAMPLE_SPAN, out_width - x);
        for (i = 0; i < span; i++, fb_resample_step (to_frame, &f)) {
          fx[i] = f.x;
          fy[i] = f.y;
        }
        for (i = 0; i < span; i++) {
          int sx = fb_resample_fixed (fx[i]), sy = fb_resample_fixed (fy[i]);
          offsets[i] = fb_resample_offset (sx, sy, stride);
          wx[i] = fb_resample_weight (sx);
          wy[i] = fb_resample_weight (sy);
        }
        for (i = 0; i < span; i++)
          row[x + i] = fb_resample_mix (pixels + offsets[i], stride, wx[i], wy[i]);
      }
      continue;
    }
    for (x = 0; x < out_width; x++, fb_resample_step (to_frame, &f))
      row[x] = fb_resample_pixel (pixels, stride, width, height, f);
  }
}

/* The feathered head mask, which limits the synthesis and blends the result (unless the
 * background is painted too). A wide feather makes it smooth, so it is rendered at a
 * quarter of the resolution then. */
static void
render_coverage (FbFaceGuides * g, const FbFacePlan * plan)
{
  FbLandmarks lm;
  float feather = fb_face_coverage_landmarks (plan, &lm);

  fb_image_ensure (&g->coverage, plan->coverage_width, plan->coverage_height, 1);
  fb_face_mask_render (&lm, 0, 0, feather, g->coverage);
}

float
fb_face_coverage_landmarks (const FbFacePlan * plan, FbLandmarks * lm)
{
  FbRect region = plan->synthesis_region;
  float k = 1.0f / (1 << plan->coverage_shift);
  FbSimilarity to_coverage = { k, 0, (0.5f - region.x) * k - 0.5f,
    (0.5f - region.y) * k - 0.5f
  };

  fb_landmarks_transform (&plan->canonical_lm, to_coverage, lm);
  return plan->feather * k;
}

/* Matches the appearance guide's histogram inside the face (fb_coverage_inside) to the
 * style's; one guide pixel per coverage sample is plenty for a histogram. */
static void
match_face_histogram (FbFaceGuides * g, int shift, const FbHistogram * reference)
{
  const FbImage *coverage = g->coverage, *guide = g->guide;
  int i, j;
  guint64 counts[256] = { 0 };
  FbHistogram face;

  for (j = 0; j < coverage->height; j++) {
    const uint8_t *inside = fb_image_row (coverage, j);
    const uint8_t *row = fb_image_row (guide, fb_coverage_sample (j, shift, guide->height));
    for (i = 0; i < coverage->width; i++)
      if (fb_coverage_inside (inside[i]))
        counts[row[fb_coverage_sample (i, shift, guide->width)]]++;
  }
  fb_histogram_from_counts (counts, &face);
  fb_histogram_match_to (g->guide, &face, reference);
}

/* fb_fold_into_style_corner for n pixels of the positional guide. */
static void
fold_into_style_corner (float *pos, size_t n, const FbStyleLevel * style)
{
  const int width = style->rgb->width, height = style->rgb->height;
  float size = fb_style_corner_size (width, height);
  size_t i;

  for (i = 0; i < n; i++)
    fb_fold_into_style_corner (pos + 2 * i, width, height, size, style->background_corner);
}

/* fb_backdrop_tone_gains of the coverage samples whose pixels lie in rows [y0, y1) of
 * the positional guide, not folded yet. */
static void
backdrop_tone_rows (const GuidesJob * guides, int y0, int y1)
{
  const FbMlsField *field = guides->field;
  const FbFacePlan *plan = guides->plan;
  const FbStyleLevel *style = plan->synthesis_level;
  const int shift = plan->coverage_shift, width = style->rgb->width;
  const int height = style->rgb->height;
  const float size = fb_style_corner_size (width, height);
  const size_t plane = (size_t) plan->coverage_width * plan->coverage_height;
  int i, y;

  for (y = y0; y < y1; y++) {
    int j = y >> shift;
    uint16_t *gains = guides->g->tone_gains + (size_t) j * plan->coverage_width;
    if (y != fb_coverage_sample (j, shift, field->height))
      continue;
    for (i = 0; i < plan->coverage_width; i++)
      fb_backdrop_tone_gains (field->field + 2 * ((size_t) y * field->width
              + fb_coverage_sample (i, shift, field->width)), width, height, size,
          style->background_corner, style->tone->data, style->tone->stride,
          style->border_tone, gains + i, plane);
  }
}

/* The positional guide in pixel rows [y0, y1), whose nodes are known. */
static void
positional_guide_rows (const GuidesJob * guides, int y0, int y1)
{
  const FbMlsField *field = guides->field;

  fb_mls_field_interpolate (field, y0, y1);
  if (guides->plan->backdrop_tone)
    backdrop_tone_rows (guides, y0, y1);
  if (guides->plan->params->stylize_background)
    fold_into_style_corner (field->field + (size_t) 2 * y0 * field->width,
        (size_t) (y1 - y0) * field->width, guides->plan->synthesis_level);
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
  FbFaceGuides *g = guides->g;
  const FbFacePlan *plan = guides->plan;
  const FbMlsField *field = guides->field;
  int row = index - 1, band;

  if (index == 0) {
    float face_width = plan->synthesis_level->face_width;
    int thin_dark_radius = fb_thin_dark_radius (face_width);
    const FbImage *detail_luma = g->luma;

    resample_luma (guides->frame_luma, plan, g->luma);
    if (thin_dark_radius > 0) {
      fb_cap_thin_dark (g->luma, thin_dark_radius, &g->closing, &g->detail_luma);
      detail_luma = g->detail_luma;
    }
    fb_appearance_guide (detail_luma, FB_GUIDE_BLUR_FRACTION * face_width, &g->guide);
    render_coverage (g, plan);
    match_face_histogram (g, plan->coverage_shift, &plan->synthesis_level->histogram);
    return;
  }
  fb_mls_field_nodes (field, row, row + 1);
  for (band = MAX (row - 1, 0); band <= MIN (row, guides->pixel_bands - 1); band++)
    if (g_atomic_int_add (&guides->node_rows_done[band], 1) == 1)
      positional_guide_rows (guides, band * field->spacing,
          MIN ((band + 1) * field->spacing, field->height));
}

/* fb_background_appearance over band `index` of `count` of the region's rows. */
static void
background_appearance_job (void *data, int index, int count)
{
  const GuidesJob *guides = data;
  const FbFaceGuides *g = guides->g;
  const FbFacePlan *plan = guides->plan;
  const FbImage *style_guide = plan->synthesis_level->guide, *coverage = g->coverage;
  int width = g->guide->width, x, y, y0, y1;

  fb_band_rows (g->guide->height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *app = fb_image_row (g->guide, y);
    const float *pos = g->pos + (size_t) 2 * y * width;
    for (x = 0; x < width; x++)
      app[x] = fb_background_appearance (app[x], fb_coverage_at (coverage->data,
              coverage->width, coverage->height, coverage->stride, plan->coverage_shift,
              x * FB_PATCH_ONE, y * FB_PATCH_ONE), pos + 2 * x, style_guide->data, style_guide->stride,
          style_guide->width, style_guide->height);
  }
}

void
fb_face_guides_build (FbFaceGuides * g, FbWorkers * workers, const FbFacePlan * plan,
    const FbImage * frame_luma)
{
  FbRect region = plan->synthesis_region;
  size_t nodes = fb_mls_grid_nodes (region.width, region.height, FB_FACE_MLS_SPACING);
  size_t pixels = (size_t) region.width * region.height;
  FbMlsField field = fb_face_positional_field (plan);
  int pixel_bands = (region.height + FB_FACE_MLS_SPACING - 1) / FB_FACE_MLS_SPACING;
  GuidesJob guides = { g, plan, frame_luma, &field, NULL, pixel_bands };

  fb_image_ensure (&g->luma, region.width, region.height, 1);
  if (pixels > g->pos_capacity) {
    g->pos = g_renew (float, g->pos, 2 * pixels);
    g->pos_capacity = pixels;
  }
  if (nodes > g->nodes_capacity) {
    g->nodes = g_renew (FbPoint, g->nodes, nodes);
    g->node_rows_done = g_renew (gint, g->node_rows_done, nodes);
    g->nodes_capacity = nodes;
  }
  if (plan->backdrop_tone) {
    size_t samples = 3 * (size_t) plan->coverage_width * plan->coverage_height;
    if (samples > g->tone_gains_capacity) {
      g->tone_gains = g_renew (uint16_t, g->tone_gains, samples);
      g->tone_gains_capacity = samples;
    }
  }
  guides.node_rows_done = g->node_rows_done;
  memset (guides.node_rows_done, 0, pixel_bands * sizeof (gint));
  field.nodes = g->nodes;
  field.field = g->pos;
  fb_workers_run (workers, guides_job, &guides, 1 + fb_mls_field_node_rows (&field));
  if (plan->params->stylize_background)
    fb_workers_run (workers, background_appearance_job, &guides,
        fb_band_count (workers, region.height));
}

FbMlsField
fb_face_positional_field (const FbFacePlan * plan)
{
  FbRect region = plan->synthesis_region;
  FbMlsField field = { plan->canonical_lm.points, plan->synthesis_level->landmarks.points,
    FB_N_LANDMARKS, region.x, region.y, region.width, region.height, FB_FACE_MLS_SPACING
  };

  return field;
}

void
fb_face_guides_clear (FbFaceGuides * g)
{
  fb_image_free (g->luma);
  fb_image_free (g->detail_luma);
  fb_image_free (g->closing);
  fb_image_free (g->guide);
  fb_image_free (g->coverage);
  g_free (g->pos);
  g_free (g->tone_gains);
  g_free (g->nodes);
  g_free (g->node_rows_done);
  memset (g, 0, sizeof (*g));
}
