/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-stylize.h"

#include <math.h>
#include <string.h>

#include "fb-lighting.h"
#include "fb-mask.h"

/* Coarsest StyleBlit seed spacing at the exemplar's full resolution. */
#define COARSEST_SPACING_LOG2 6
/* Chunks of seed spacings under 2^3 synthesis pixels are a few pixels each: specks that
 * fragment the face without following it better, so they are not tried (but the
 * coarsest level always is). */
#define FINEST_CHUNK_SPACING_LOG2 3
/* How far (in octaves) past the midpoint between two pyramid levels a face's size must
 * go before it changes level. */
#define LEVEL_HYSTERESIS 0.15f

struct FbFaceStylizer {
  FbBackend *backend;
  FbFaceBuffers *buffers;
  /* what the previous frame's choices, kept by the backend, were made for */
  gboolean has_history;
  const FbStyle *prev_style;
  int prev_level;
  int prev_synthesis_shift;
  FbRect prev_region;           /* at the synthesis resolution */
  float prev_threshold;
  float prev_lambda_temporal;
  /* the lighting's ratio of mean lumas (fb_lighting_level_ratio); 0: none */
  uint32_t prev_level_ratio;
};

FbFaceStylizer *
fb_face_stylizer_new (FbBackend * backend)
{
  FbFaceStylizer *fs = g_new0 (FbFaceStylizer, 1);

  fs->backend = backend;
  return fs;
}

void
fb_face_stylizer_free (FbFaceStylizer * fs)
{
  if (!fs)
    return;
  if (fs->buffers)
    fs->backend->klass->face_free (fs->backend, fs->buffers);
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

/* The level whose face is closest in size to this one: small faces use a smaller
 * exemplar rather than an upscaled frame. A face near the middle between two levels
 * keeps the one it has: every change of level starts the synthesis afresh, which costs
 * a slow frame and shows as a change of texture. */
static int
choose_level (const FbFaceStylizer * fs, const FbStyle * style, FbSimilarity to_style)
{
  float ideal = log2f (MAX (fb_similarity_scale (to_style), 1e-3f));
  int level = (int) floorf (ideal + 0.5f);

  if (fs->has_history && fs->prev_style == style
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

/* The face's level, regions, canonical landmarks, mask geometry, seed levels and
 * temporal guide for this frame. Returns FALSE when nothing of the face is visible. */
static gboolean
plan_face (const FbFaceStylizer * fs, const FbStyle * style, const FbImage * frame_luma,
    const FbLandmarks * lm, const FbRenderParams * params, FbFacePlan * plan)
{
  FbSimilarity to_style = fb_landmarks_align (lm, &style->levels[0].landmarks);
  FbSimilarity synthesis_to_canonical, to_frame;
  FbRect region, frame_in_canonical, frame_rect = { 0, 0, frame_luma->width,
    frame_luma->height
  };
  int level_index, shift;

  memset (plan, 0, sizeof (*plan));
  plan->style = style;
  plan->params = params;
  level_index = choose_level (fs, style, to_style);
  shift = MIN (CLAMP (params->synthesis_shift, 0, 1), style->n_levels - 1 - level_index);
  plan->level_index = level_index;
  plan->level = &style->levels[level_index];
  plan->synthesis_level = &style->levels[level_index + shift];
  plan->synthesis_shift = shift;
  plan->to_canonical = canonical_transform (to_style, level_index);
  synthesis_to_canonical = canonical_transform (to_style, level_index + shift);
  plan->synthesis_to_frame = fb_similarity_invert (synthesis_to_canonical);
  fb_landmarks_transform (lm, synthesis_to_canonical, &plan->canonical_lm);

  plan->feather = params->mask_feather * plan->synthesis_level->face_width;
  frame_in_canonical = transformed_bounds (synthesis_to_canonical, -0.5f, -0.5f,
      frame_luma->width - 0.5f, frame_luma->height - 0.5f);
  region = params->stylize_background ? frame_in_canonical
      : fb_rect_intersect (head_region (&plan->canonical_lm, plan->feather,
          params->voting), frame_in_canonical);
  if (region.width < 2 || region.height < 2)
    return FALSE;
  plan->synthesis_region = region;
  plan->region.x = region.x * (1 << shift);
  plan->region.y = region.y * (1 << shift);
  plan->region.width = region.width << shift;
  plan->region.height = region.height << shift;

  /* A wide feather makes the mask smooth: it is rendered at a quarter of the
   * resolution then. */
  plan->coverage_shift = plan->feather >= 8 ? 2 : 0;
  plan->coverage_width = ((region.width - 1) >> plan->coverage_shift) + 1;
  plan->coverage_height = ((region.height - 1) >> plan->coverage_shift) + 1;
  plan->n_seed_levels = MAX (COARSEST_SPACING_LOG2 + 1 - level_index - shift, 2);

  plan->use_history = fs->has_history && fs->prev_style == style
      && fs->prev_level == level_index && fs->prev_synthesis_shift == shift;
  /* settled choices are kept only under the rules they were made with */
  plan->keep_settled = plan->use_history && params->threshold == fs->prev_threshold
      && params->lambda_temporal == fs->prev_lambda_temporal;
  plan->previous_region = fs->prev_region;
  plan->lighting = FB_DEBUG_VIEW_IS_PICTURE (params->debug_view) ? 0
      : fb_lighting_fixed (params->lighting);
  plan->backdrop_tone = params->stylize_background
      && !FB_DEBUG_VIEW_IS_PICTURE (params->debug_view);

  to_frame = fb_similarity_invert (plan->to_canonical);
  plan->patch = fb_rect_intersect (transformed_bounds (to_frame, plan->region.x - 0.5f,
          plan->region.y - 0.5f, plan->region.x + plan->region.width - 0.5f,
          plan->region.y + plan->region.height - 0.5f), frame_rect);
  return plan->patch.width >= 1 && plan->patch.height >= 1;
}

FbBlitTarget
fb_face_plan_synthesis_target (const FbFacePlan * plan, const FbGuideBuffers * b)
{
  FbBlitTarget t = { 0 };

  t.x0 = plan->synthesis_region.x;
  t.y0 = plan->synthesis_region.y;
  t.width = plan->synthesis_region.width;
  t.height = plan->synthesis_region.height;
  t.pos = b->pos;
  t.app = b->app;
  t.previous = plan->use_history ? b->previous : NULL;
  t.settled = plan->keep_settled ? b->previous_settled : NULL;
  /* a painted background is synthesised wherever the frame shows */
  t.coverage = plan->params->stylize_background ? NULL : b->coverage;
  t.coverage_stride = b->coverage_stride;
  t.coverage_width = plan->coverage_width;
  t.coverage_height = plan->coverage_height;
  t.coverage_shift = plan->coverage_shift;
  t.lambda_pos = plan->synthesis_level->lambda_pos_px;
  t.lambda_app = plan->style->params.lambda_app;
  t.lambda_temporal = plan->params->lambda_temporal;
  t.threshold = plan->params->threshold;
  t.finest_level = MIN (FINEST_CHUNK_SPACING_LOG2, plan->n_seed_levels - 1);
  return t;
}

FbBlitTarget
fb_face_plan_vote_target (const FbFacePlan * plan, const FbBlitTarget * synthesis)
{
  FbBlitTarget t = *synthesis;

  /* Voting reads only the NNF and where the face shows. */
  t.x0 = plan->region.x;
  t.y0 = plan->region.y;
  t.width = plan->region.width;
  t.height = plan->region.height;
  t.pos = NULL;
  t.app = NULL;
  t.previous = NULL;
  t.settled = NULL;
  t.coverage_shift += plan->synthesis_shift;
  return t;
}

FbDebugSource
fb_face_plan_debug_source (const FbFacePlan * plan, const FbGuideBuffers * b,
    const int32_t * nnf)
{
  FbDebugSource d = { plan->params->debug_view, plan->synthesis_shift,
    plan->synthesis_region.x, plan->synthesis_region.y, plan->synthesis_region.width,
    b->pos, b->app, nnf, b->coverage, b->coverage_stride,
    plan->coverage_shift + plan->synthesis_shift,
    plan->synthesis_level->rgb->width, plan->synthesis_level->rgb->height
  };

  return d;
}

FbPatchSource
fb_face_plan_patch_source (const FbFacePlan * plan, const FbImage * colours,
    const FbImage * coverage)
{
  FbPatchSource from = { plan->to_canonical, plan->region, colours,
    plan->params->stylize_background ? NULL : coverage,
    plan->coverage_shift + plan->synthesis_shift,
    /* Without voting the user asked for untouched exemplar pixels. */
    plan->params->voting == 1, plan->params->strength,
    FB_DEBUG_VIEW_IS_PICTURE (plan->params->debug_view)
  };

  return from;
}

/* This frame's choices become the next frame's temporal guide, with what and under
 * which rules they were made. */
static void
remember_choices (FbFaceStylizer * fs, const FbFacePlan * plan)
{
  fs->has_history = TRUE;
  fs->prev_style = plan->style;
  fs->prev_level = plan->level_index;
  fs->prev_synthesis_shift = plan->synthesis_shift;
  fs->prev_region = plan->synthesis_region;
  fs->prev_threshold = plan->params->threshold;
  fs->prev_lambda_temporal = plan->params->lambda_temporal;
}

FbStylizeResult
fb_face_stylizer_run (FbFaceStylizer * fs, const FbStyle * style,
    const FbImage * frame_luma, const FbLandmarks * lm, const FbRenderParams * params,
    FbFrame * frame, FbStageTimes * times)
{
  FbBackend *backend = fs->backend;
  const FbBackendClass *b = backend->klass;
  FbFacePlan plan;
  uint32_t level_ratio;
  double t0 = now_ms ();

  if (!plan_face (fs, style, frame_luma, lm, params, &plan))
    return FB_STYLIZE_NOT_SHOWN;
  if (!fs->buffers && !(fs->buffers = b->face_new (backend)))
    return FB_STYLIZE_FAILED;
  /* The lighting's ratio eases only within one style: another exemplar's tone is
   * another ratio. */
  level_ratio = fs->has_history && fs->prev_style == style ? fs->prev_level_ratio : 0;
  /* A failure leaves the buffers undefined: the next frame starts afresh. */
  fs->has_history = FALSE;

  if (!b->guides (backend, fs->buffers, &plan, frame_luma))
    return FB_STYLIZE_FAILED;
  times->guides += lap_ms (&t0);
  if (plan.use_history && !b->temporal_guide (backend, fs->buffers, &plan))
    return FB_STYLIZE_FAILED;
  times->temporal += lap_ms (&t0);
  if (!b->seeds (backend, fs->buffers, &plan))
    return FB_STYLIZE_FAILED;
  times->seeds += lap_ms (&t0);
  if (!b->synthesis (backend, fs->buffers, &plan))
    return FB_STYLIZE_FAILED;
  times->synthesis += lap_ms (&t0);
  if (!b->vote (backend, fs->buffers, &plan))
    return FB_STYLIZE_FAILED;
  times->voting += lap_ms (&t0);
  /* counted with compositing: it changes what is composited */
  if ((plan.lighting > 0 || plan.backdrop_tone)
      && !b->relight (backend, fs->buffers, &plan, &level_ratio))
    return FB_STYLIZE_FAILED;
  if (!b->finish (backend, fs->buffers, &plan))
    return FB_STYLIZE_FAILED;
  remember_choices (fs, &plan);
  fs->prev_level_ratio = plan.lighting > 0 ? level_ratio : 0;
  if (!b->composite (backend, fs->buffers, &plan, frame))
    return FB_STYLIZE_FAILED;
  times->compositing += lap_ms (&t0);
  return FB_STYLIZE_SHOWN;
}
