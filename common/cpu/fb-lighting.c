/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-lighting.h"

#include <math.h>
#include <string.h>

#include "fb-face-guides-pixel.h"
#include "fb-guide.h"
#include "fb-vectorised.h"

int
fb_lighting_fixed (float lighting)
{
  return (int) lrintf (CLAMP (lighting, 0.0f, 1.0f) * FB_LIGHTING_FULL);
}

float
fb_face_plan_lighting_sigma (const FbFacePlan * plan)
{
  /* at least one sample, so that the blur always blurs (fb_blur_radii) */
  return MAX (FB_LIGHTING_BLUR_FRACTION * plan->synthesis_level->face_width
      / (1 << plan->coverage_shift), 1.0f);
}

FbLightingSamples
fb_face_plan_lighting_samples (const FbFacePlan * plan, const uint8_t * luma,
    int luma_stride, const uint8_t * colours, int colours_stride,
    const uint8_t * coverage, int coverage_stride)
{
  FbLightingSamples s = { luma, luma_stride, plan->synthesis_region.width,
    plan->synthesis_region.height, colours, colours_stride, plan->region.width,
    plan->region.height, coverage, coverage_stride, plan->coverage_shift,
    plan->synthesis_shift
  };

  return s;
}

uint32_t
fb_lighting_level_ratio (const uint32_t * row_sums, int rows, uint32_t previous)
{
  guint64 target = 0, stylized = 0, ratio;
  int j;

  for (j = 0; j < rows; j++) {
    target += row_sums[2 * j];
    stylized += row_sums[2 * j + 1];
  }
  /* no face (or a black one) to take the shading from: no change of level */
  if (target == 0 || stylized == 0)
    ratio = FB_LIGHTING_RATIO_ONE;
  else
    ratio = CLAMP ((stylized * FB_LIGHTING_RATIO_ONE + target / 2) / target,
        FB_LIGHTING_RATIO_ONE / 16, FB_LIGHTING_RATIO_ONE * 16);
  if (previous == 0)
    return (uint32_t) ratio;
  /* both within the clamp, so the sum cannot overflow 64 bits nor leave it */
  return (uint32_t) ((((guint64) previous << FB_LIGHTING_RATIO_EASE_LOG2) - previous
          + ratio + (1u << (FB_LIGHTING_RATIO_EASE_LOG2 - 1)))
      >> FB_LIGHTING_RATIO_EASE_LOG2);
}

/* What the jobs of fb_face_lighting_apply share. */
typedef struct {
  FbFaceLighting *l;
  const FbFacePlan *plan;
  FbLightingSamples samples;
  const FbImage *coverage;
  FbImage *output;
  float sigma;
  uint32_t level_ratio;
  const uint16_t *tone_gains;   /* the backdrop's (plan->backdrop_tone), else NULL */
  const uint16_t *gains;        /* what the output is multiplied by */
  size_t plane;                 /* between gains' channels; 0: one map for all three */
  FbRect lit;                   /* the output pixels whose gain may differ from 1 */
} LightingJob;

/* The weighted lumas of a band of coverage rows, and their sums. */
static void
samples_job (void *data, int index, int count)
{
  LightingJob *job = data;
  FbFaceLighting *l = job->l;
  int width = l->target->width, i, j, j0, j1;

  fb_band_rows (l->target->height, index, count, &j0, &j1);
  for (j = j0; j < j1; j++) {
    uint8_t *target = fb_image_row (l->target, j), *stylized = fb_image_row (l->stylized, j);
    for (i = 0; i < width; i++)
      fb_lighting_sample (&job->samples, i, j, target + i, stylized + i);
    l->row_sums[2 * j] = fb_lighting_row_sum (target, width);
    l->row_sums[2 * j + 1] = fb_lighting_row_sum (stylized, width);
  }
}

/* Job 0 blurs the target's weighted lumas, job 1 the stylized output's. */
static void
blur_job (void *data, int index, int count)
{
  LightingJob *job = data;
  FbFaceLighting *l = job->l;

  if (index == 0)
    fb_blur_fixed (l->target, job->sigma, l->target_blurred);
  else
    fb_blur_fixed (l->stylized, job->sigma, l->stylized_blurred);
}

static void
gains_job (void *data, int index, int count)
{
  LightingJob *job = data;
  FbFaceLighting *l = job->l;
  int width = l->target->width, i, j, j0, j1;

  fb_band_rows (l->target->height, index, count, &j0, &j1);
  for (j = j0; j < j1; j++) {
    const uint8_t *coverage = fb_image_row (job->coverage, j);
    size_t row = (size_t) j * width;
    for (i = 0; i < width; i++)
      fb_lighting_gains_for_tone (fb_lighting_gain (l->target_blurred[row + i],
              l->stylized_blurred[row + i], job->level_ratio, coverage[i],
              job->plan->lighting), job->tone_gains, job->plane, row + i, l->gains);
  }
}

/* The output pixels that the gains of the coverage samples inside the face reach
 * (bilinearly, at 2^shift output pixels a sample): the gain is exactly 1 elsewhere.
 * Empty when no sample is. */
static FbRect
lit_pixels (const FbImage * coverage, int shift, int width, int height)
{
  int i0 = coverage->width, i1 = -1, j0 = coverage->height, j1 = -1, i, j;
  FbRect lit = { 0, 0, 0, 0 };

  for (j = 0; j < coverage->height; j++) {
    const uint8_t *row = fb_image_row (coverage, j);
    for (i = 0; i < coverage->width; i++)
      if (fb_coverage_inside (row[i])) {
        i0 = MIN (i0, i);
        i1 = MAX (i1, i);
        j0 = MIN (j0, j);
        j1 = MAX (j1, j);
      }
  }
  if (i1 < 0)
    return lit;
  /* sample i weighs on the pixels within one sample of its centre, (i + 1/2) 2^shift
   * - 1/2 */
  lit.x = MAX (i0 - 1, 0) << shift;
  lit.y = MAX (j0 - 1, 0) << shift;
  lit.width = MIN ((i1 + 2) << shift, width) - lit.x;
  lit.height = MIN ((j1 + 2) << shift, height) - lit.y;
  return lit;
}

/* n pixels of a row relit by their channels' gains (fb_lighting_channel): a loop
 * without a branch, which vectorises (8 channels a step with AVX2). */
FB_VECTORISED static void
relight_row (uint8_t * restrict rgb, const uint16_t * restrict red,
    const uint16_t * restrict green, const uint16_t * restrict blue, int n)
{
  int x;

  for (x = 0; x < n; x++) {
    rgb[3 * x] = fb_lighting_channel (rgb[3 * x], red[x]);
    rgb[3 * x + 1] = fb_lighting_channel (rgb[3 * x + 1], green[x]);
    rgb[3 * x + 2] = fb_lighting_channel (rgb[3 * x + 2], blue[x]);
  }
}

/* The gains of pixels x0 .. x0 + n - 1 of a row, for each of `maps` gain maps whose
 * columns are mixed down the row's two gain rows (fb_lighting_gain_column of the map,
 * w wide; map k's at columns + k w, its gains at gains + k n): each pixel's cell found
 * once for all of them. Not FB_VECTORISED: its reads of the columns would be gathers,
 * which GCC leaves scalar. */
static void
row_gains (const int *restrict columns, int maps, int w, int shift, int x0, int n,
    uint16_t * restrict gains)
{
  int x, k;

  for (x = 0; x < n; x++) {
    FbBilinearCell c = fb_lighting_gain_cell (w, 1, shift, x0 + x, 0);
    for (k = 0; k < maps; k++) {
      const int *map = columns + (size_t) k * w;
      gains[(size_t) k * n + x] = (uint16_t) fb_lighting_gain_across (map[c.offset],
          map[c.offset + c.right], c.wx);
    }
  }
}

/* fb_lighting_pixel over a band of the lit rows: the same bytes, a row at a time. Each
 * gain map's columns are mixed down the row's two gain rows once a row
 * (fb_lighting_gain_column), each pixel mixes its two across, and the row is relit in
 * one loop (relight_row). A row whose columns all mix to 256 times 1 is left as it is:
 * its every gain is exactly 1 (most rows deep inside the exemplar of a painted
 * background). One map serves the three channels where the lighting's gains are alone
 * (job->plane 0). */
static void
apply_job (void *data, int index, int count)
{
  LightingJob *job = data;
  const FbFacePlan *plan = job->plan;
  const int w = plan->coverage_width, h = plan->coverage_height;
  const int shift = plan->coverage_shift + plan->synthesis_shift;
  const int maps = job->plane ? 3 : 1;
  FbRect lit = job->lit;
  int *columns = g_new (int, (size_t) maps * w), y, y0, y1, i, k;
  uint16_t *gains = g_new (uint16_t, (size_t) maps * MAX (lit.width, 1));
  const size_t gains_plane = maps > 1 ? (size_t) lit.width : 0;

  fb_band_rows (lit.height, index, count, &y0, &y1);
  for (y = lit.y + y0; y < lit.y + y1; y++) {
    FbBilinearCell row_cell = fb_lighting_gain_cell (w, h, shift, 0, y);
    gboolean unchanged = TRUE;
    for (k = 0; k < maps; k++) {
      const uint16_t *top = job->gains + k * job->plane + row_cell.offset;
      int *c = columns + (size_t) k * w;
      for (i = 0; i < w; i++) {
        c[i] = fb_lighting_gain_column (top + i, row_cell.below, row_cell.wy);
        unchanged = unchanged && c[i] == 256 * FB_LIGHTING_ONE;
      }
    }
    if (unchanged)
      continue;
    row_gains (columns, maps, w, shift, lit.x, lit.width, gains);
    relight_row (fb_image_row (job->output, y) + 3 * lit.x, gains, gains + gains_plane,
        gains + 2 * gains_plane, lit.width);
  }
  g_free (columns);
  g_free (gains);
}

static void
ensure_buffers (FbFaceLighting * l, int width, int height)
{
  size_t samples = (size_t) width * height;

  fb_image_ensure (&l->target, width, height, 1);
  fb_image_ensure (&l->stylized, width, height, 1);
  if (samples > l->samples_capacity) {
    l->target_blurred = g_renew (uint16_t, l->target_blurred, samples);
    l->stylized_blurred = g_renew (uint16_t, l->stylized_blurred, samples);
    l->gains = g_renew (uint16_t, l->gains, 3 * samples);    /* per channel */
    l->samples_capacity = samples;
  }
  if ((size_t) height > l->rows_capacity) {
    l->row_sums = g_renew (uint32_t, l->row_sums, 2 * (size_t) height);
    l->rows_capacity = height;
  }
}

void
fb_face_lighting_apply (FbFaceLighting * l, FbWorkers * workers, const FbFacePlan * plan,
    const FbImage * luma, const FbImage * coverage, const uint16_t * tone_gains,
    FbImage * output, uint32_t * level_ratio)
{
  int width = plan->coverage_width, height = plan->coverage_height;
  LightingJob job = { l, plan, fb_face_plan_lighting_samples (plan, luma->data,
        luma->stride, output->data, output->stride, coverage->data, coverage->stride),
    coverage, output, fb_face_plan_lighting_sigma (plan), 0, tone_gains, tone_gains,
    tone_gains ? (size_t) width * height : 0
  };
  FbRect whole = { 0, 0, output->width, output->height };

  if (plan->lighting > 0) {
    ensure_buffers (l, width, height);
    fb_workers_run (workers, samples_job, &job, fb_band_count (workers, height));
    job.level_ratio = *level_ratio = fb_lighting_level_ratio (l->row_sums, height,
        *level_ratio);
    fb_workers_run (workers, blur_job, &job, 2);
    fb_workers_run (workers, gains_job, &job, fb_band_count (workers, height));
    job.gains = l->gains;
  }
  /* the backdrop's tone reaches beyond the face */
  job.lit = tone_gains ? whole : lit_pixels (coverage, plan->coverage_shift
      + plan->synthesis_shift, output->width, output->height);
  fb_workers_run (workers, apply_job, &job, fb_band_count (workers, job.lit.height));
}

void
fb_face_lighting_clear (FbFaceLighting * l)
{
  fb_image_free (l->target);
  fb_image_free (l->stylized);
  g_free (l->target_blurred);
  g_free (l->stylized_blurred);
  g_free (l->gains);
  g_free (l->row_sums);
  memset (l, 0, sizeof (*l));
}
