/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-lighting.h"

#include <math.h>
#include <string.h>

#include "fb-face-guides-pixel.h"
#include "fb-guide.h"

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
    for (i = 0; i < width; i++) {
      uint16_t gain = fb_lighting_gain (l->target_blurred[row + i],
          l->stylized_blurred[row + i], job->level_ratio, coverage[i],
          job->plan->lighting);
      l->gains[row + i] = job->tone_gains
          ? fb_lighting_gains_product (gain, job->tone_gains[row + i]) : gain;
    }
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

static void
apply_job (void *data, int index, int count)
{
  LightingJob *job = data;
  const FbFacePlan *plan = job->plan;
  const int w = plan->coverage_width, h = plan->coverage_height;
  const int32_t max_u = (w - 1) * FB_PATCH_ONE;
  FbRect lit = job->lit;
  int shift = plan->coverage_shift + plan->synthesis_shift, x, y, y0, y1;

  fb_band_rows (lit.height, index, count, &y0, &y1);
  for (y = lit.y + y0; y < lit.y + y1; y++) {
    uint8_t *row = fb_image_row (job->output, y);
    int32_t v = fb_coverage_position (y * FB_PATCH_ONE, shift);
    int cell = -1;
    gboolean unchanged = FALSE;
    for (x = lit.x; x < lit.x + lit.width; x++) {
      /* a pixel whose four gains are all 1 keeps its colour (the mix of four 1s is
       * exactly 1): most of a painted background's, inside the exemplar, which would
       * otherwise each pay for the mix */
      int32_t u = CLAMP (fb_coverage_position (x * FB_PATCH_ONE, shift), 0, max_u);
      if (u >> FB_PATCH_FRAC != cell) {
        FbBilinearCell c = fb_bilinear_cell (w, h, 1, w, u, v);
        const uint16_t *p = job->gains + c.offset;
        cell = u >> FB_PATCH_FRAC;
        unchanged = p[0] == FB_LIGHTING_ONE && p[c.right] == FB_LIGHTING_ONE
            && p[c.below] == FB_LIGHTING_ONE && p[c.below + c.right] == FB_LIGHTING_ONE;
      }
      if (!unchanged)
        fb_lighting_pixel (job->gains, w, h, shift, x, y, row + 3 * x);
    }
  }
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
    l->gains = g_renew (uint16_t, l->gains, samples);
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
    coverage, output, fb_face_plan_lighting_sigma (plan), 0, tone_gains, tone_gains
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
