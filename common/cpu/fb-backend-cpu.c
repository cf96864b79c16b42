/* faceblit — the CPU backend: every stage in row bands on FbWorkers.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend.h"

#include <string.h>

#include "fb-composite.h"
#include "fb-face-guides.h"
#include "fb-lighting.h"
#include "fb-synthesis.h"
#include "fb-workers.h"

typedef struct {
  FbBackend parent;
  FbWorkers *workers;
  char *name;
  FbImage *luma;                /* this frame's, for the tracker */
} FbCpuBackend;

struct FbFaceBuffers {
  FbFaceGuides guides;
  int32_t *previous;            /* the previous frame's NNF moved into this frame's region */
  float *previous_settled;      /* and the guides of its choices */
  int32_t *nnf;
  int32_t *despeckle_scratch;   /* the NNF between the despeckling's passes */
  float *settled;               /* 3 per pixel: the guides of each choice */
  int32_t *prev_nnf;            /* the previous frame's, its synthesis-region-sized */
  float *prev_settled;
  size_t pixels_capacity;
  FbSeedLevels seeds;
  FbFaceLighting lighting;
  FbImage *output;              /* this frame's, then the debug view */
  FbImage *prev_output;         /* the previous frame's output, after finish this one's */
  const FbImage *shown;         /* what compositing blends */
};

static FbWorkers *
workers_of (FbBackend * backend)
{
  return ((FbCpuBackend *) backend)->workers;
}

static gboolean
cpu_begin_frame (FbBackend * backend, FbFrame * frame, const FbImage ** luma)
{
  FbCpuBackend *cpu = (FbCpuBackend *) backend;

  if (frame->memory != FB_MEMORY_HOST) {
    fb_backend_set_error (backend, g_error_new (FB_ENGINE_ERROR, FB_ENGINE_ERROR_BACKEND,
            "%s: the frame is not in host memory", backend->name));
    return FALSE;
  }
  fb_frame_read_luma (cpu->workers, frame, &cpu->luma);
  *luma = cpu->luma;
  return TRUE;
}

static gboolean
cpu_end_frame (FbBackend * backend, FbFrame * frame)
{
  return TRUE;
}

static FbFaceBuffers *
cpu_face_new (FbBackend * backend)
{
  return g_new0 (FbFaceBuffers, 1);
}

static void
cpu_face_free (FbBackend * backend, FbFaceBuffers * f)
{
  fb_face_guides_clear (&f->guides);
  g_free (f->previous);
  g_free (f->previous_settled);
  g_free (f->nnf);
  g_free (f->despeckle_scratch);
  g_free (f->settled);
  g_free (f->prev_nnf);
  g_free (f->prev_settled);
  fb_seed_levels_clear (&f->seeds);
  fb_face_lighting_clear (&f->lighting);
  fb_image_free (f->output);
  fb_image_free (f->prev_output);
  g_free (f);
}

/* Grown, never shrunk; the previous frame's arrays keep their contents. */
static void
ensure_pixel_buffers (FbFaceBuffers * f, size_t pixels)
{
  if (pixels <= f->pixels_capacity)
    return;
  f->previous = g_renew (int32_t, f->previous, pixels);
  f->previous_settled = g_renew (float, f->previous_settled, 3 * pixels);
  f->settled = g_renew (float, f->settled, 3 * pixels);
  f->prev_settled = g_renew (float, f->prev_settled, 3 * pixels);
  f->nnf = g_renew (int32_t, f->nnf, pixels);
  f->despeckle_scratch = g_renew (int32_t, f->despeckle_scratch, pixels);
  f->prev_nnf = g_renew (int32_t, f->prev_nnf, pixels);
  f->pixels_capacity = pixels;
}

static FbGuideBuffers
guide_buffers (const FbFaceBuffers * f)
{
  FbGuideBuffers b = { f->guides.pos, f->guides.guide->data, f->previous,
    f->previous_settled, f->guides.coverage->data, f->guides.coverage->stride
  };

  return b;
}

static gboolean
cpu_guides (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    const FbImage * frame_luma)
{
  ensure_pixel_buffers (f, (size_t) plan->synthesis_region.width
      * plan->synthesis_region.height);
  fb_face_guides_build (&f->guides, workers_of (backend), plan, frame_luma);
  return TRUE;
}

typedef struct {
  FbFaceBuffers *f;
  const FbFacePlan *plan;
} StageJob;

static void
history_job (void *data, int index, int count)
{
  StageJob *job = data;
  FbFaceBuffers *f = job->f;
  FbRect prev = job->plan->previous_region, region = job->plan->synthesis_region;
  int y0, y1, x, y;

  fb_band_rows (region.height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++)
    for (x = 0; x < region.width; x++)
      fb_history_entry (f->prev_nnf, f->prev_settled, prev.x, prev.y, prev.width,
          prev.height, region.x, region.y, region.width, x, y, f->previous,
          f->previous_settled);
}

static gboolean
cpu_temporal_guide (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  StageJob job = { f, plan };
  FbWorkers *workers = workers_of (backend);

  fb_workers_run (workers, history_job, &job,
      fb_band_count (workers, plan->synthesis_region.height));
  return TRUE;
}

static gboolean
cpu_seeds (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbGuideBuffers buffers = guide_buffers (f);
  FbBlitTarget target = fb_face_plan_synthesis_target (plan, &buffers);

  fb_synthesis_seeds (workers_of (backend), &target, plan->n_seed_levels,
      plan->use_history, &f->seeds);
  return TRUE;
}

static gboolean
cpu_synthesis (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbGuideBuffers buffers = guide_buffers (f);
  FbBlitTarget target = fb_face_plan_synthesis_target (plan, &buffers);
  FbBlitStyle style = fb_blit_style_from_level (plan->synthesis_level);

  fb_synthesis_nnf (workers_of (backend), &style, &target, &f->seeds, f->nnf, f->settled);
  fb_synthesis_despeckle (workers_of (backend), &style, &target, f->nnf,
      f->despeckle_scratch);
  return TRUE;
}

/* Votes at the output resolution, on the synthesis' NNF upsampled to it if need be. */
static gboolean
cpu_vote (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbGuideBuffers buffers = guide_buffers (f);
  FbBlitTarget synthesis = fb_face_plan_synthesis_target (plan, &buffers);
  FbBlitTarget t = fb_face_plan_vote_target (plan, &synthesis);
  FbBlitStyle style = fb_blit_style_from_level (plan->level);
  int voting = plan->params->voting;

  fb_image_ensure (&f->output, t.width, t.height, 3);
  if (plan->synthesis_shift)
    fb_synthesis_vote_upsampled (workers_of (backend), &style, &t, f->nnf, voting,
        f->output);
  else
    fb_synthesis_vote (workers_of (backend), &style, &t, f->nnf, voting, f->output);
  return TRUE;
}

static gboolean
cpu_relight (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    uint32_t * level_ratio)
{
  fb_face_lighting_apply (&f->lighting, workers_of (backend), plan, f->guides.luma,
      f->guides.coverage, plan->backdrop_tone ? f->guides.tone_gains : NULL, f->output,
      level_ratio);
  return TRUE;
}

static void
debug_view_job (void *data, int index, int count)
{
  StageJob *job = data;
  FbFaceBuffers *f = job->f;
  FbGuideBuffers buffers = guide_buffers (f);
  /* this frame's NNF has become prev_nnf */
  FbDebugSource source = fb_face_plan_debug_source (job->plan, &buffers, f->prev_nnf);
  int y0, y1, x, y;

  fb_band_rows (f->output->height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *out = fb_image_row (f->output, y);
    for (x = 0; x < f->output->width; x++)
      fb_debug_view_pixel (&source, x, y, out + 3 * x);
  }
}

/* Swaps, not copies: this frame's output becomes the next frame's spare buffer. */
static gboolean
cpu_finish (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbImage *output = f->prev_output;
  int32_t *nnf = f->prev_nnf;
  float *settled = f->prev_settled;
  StageJob job = { f, plan };

  f->prev_output = f->output;
  f->output = output;
  f->prev_nnf = f->nnf;
  f->nnf = nnf;
  f->prev_settled = f->settled;
  f->settled = settled;
  f->shown = f->prev_output;
  if (!FB_DEBUG_VIEW_IS_PICTURE (plan->params->debug_view))
    return TRUE;
  fb_image_ensure (&f->output, plan->region.width, plan->region.height, 3);
  fb_workers_run (workers_of (backend), debug_view_job, &job,
      fb_band_count (workers_of (backend), plan->region.height));
  f->shown = f->output;
  return TRUE;
}

static gboolean
cpu_composite (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    FbFrame * frame)
{
  FbPatchSource source = fb_face_plan_patch_source (plan, f->shown, f->guides.coverage);

  fb_composite_patch_onto (workers_of (backend), &source, plan->patch, frame);
  return TRUE;
}

static gboolean
cpu_mark_landmarks (FbBackend * backend, FbFrame * frame, const FbLandmarks * lm)
{
  fb_frame_mark_points (frame, lm->points, FB_N_LANDMARKS);
  return TRUE;
}

static void
cpu_free (FbBackend * backend)
{
  FbCpuBackend *cpu = (FbCpuBackend *) backend;

  fb_workers_free (cpu->workers);
  fb_image_free (cpu->luma);
  g_free (cpu->name);
  g_free (cpu);
}

static const FbBackendClass cpu_class = {
  cpu_free, cpu_begin_frame, cpu_end_frame, cpu_face_new, cpu_face_free, cpu_guides,
  cpu_temporal_guide, cpu_seeds, cpu_synthesis, cpu_vote, cpu_relight, cpu_finish,
  cpu_composite, cpu_mark_landmarks,
};

FbBackend *
fb_backend_cpu_new (int n_threads)
{
  FbCpuBackend *cpu = g_new0 (FbCpuBackend, 1);

  cpu->workers = fb_workers_new (n_threads);
  cpu->name = g_strdup_printf ("CPU (%d threads)", fb_workers_n_threads (cpu->workers));
  cpu->parent.klass = &cpu_class;
  cpu->parent.name = cpu->name;
  return &cpu->parent;
}
