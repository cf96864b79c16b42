/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-engine.h"

#include <string.h>

#include "fb-stylize.h"
#include "fb-workers.h"

typedef struct {
  guint id;
  FbFaceStylizer *stylizer;
} FaceSlot;

struct FbEngine {
  FbTracker *tracker;
  FbWorkers *workers;
  FbStyle *style;
  FbImage *luma;
  FaceSlot slots[FB_TRACKER_MAX_FACES];
  int n_slots;
  FbStageTimes times;
};

void
fb_render_params_init_defaults (FbRenderParams * params)
{
  params->voting = 3;
  params->threshold = 100.0f;
  params->lambda_temporal = 1.0f;
  params->stylize_background = FALSE;
  params->mask_feather = 0.06f;
  params->synthesis_shift = 1;
  params->debug_view = FB_DEBUG_VIEW_NONE;
  params->tracking.max_faces = 4;
  params->tracking.min_face_size = 100;
  params->tracking.detect_interval = 5;
  params->tracking.smoothing = 0.5f;
}

FbEngine *
fb_engine_new (const FbShapeModel * model, int n_threads, GError ** error)
{
  FbEngine *engine = g_new0 (FbEngine, 1);

  engine->tracker = fb_tracker_new (model, error);
  if (!engine->tracker) {
    g_free (engine);
    return NULL;
  }
  engine->workers = fb_workers_new (n_threads);
  return engine;
}

static void
drop_slot (FbEngine * engine, int i)
{
  fb_face_stylizer_free (engine->slots[i].stylizer);
  engine->slots[i] = engine->slots[--engine->n_slots];
}

static void
drop_all_slots (FbEngine * engine)
{
  while (engine->n_slots > 0)
    drop_slot (engine, 0);
}

void
fb_engine_free (FbEngine * engine)
{
  if (!engine)
    return;
  drop_all_slots (engine);
  fb_tracker_free (engine->tracker);
  fb_workers_free (engine->workers);
  if (engine->style)
    fb_style_unref (engine->style);
  fb_image_free (engine->luma);
  g_free (engine);
}

void
fb_engine_set_style (FbEngine * engine, FbStyle * style)
{
  if (engine->style == style)
    return;
  drop_all_slots (engine);
  if (engine->style)
    fb_style_unref (engine->style);
  engine->style = fb_style_ref (style);
}

void
fb_engine_reset (FbEngine * engine)
{
  drop_all_slots (engine);
  fb_tracker_reset (engine->tracker);
}

static FbFaceStylizer *
stylizer_for (FbEngine * engine, guint id)
{
  int i;

  for (i = 0; i < engine->n_slots; i++)
    if (engine->slots[i].id == id)
      return engine->slots[i].stylizer;
  if (engine->n_slots == FB_TRACKER_MAX_FACES)
    return NULL;
  engine->slots[engine->n_slots].id = id;
  engine->slots[engine->n_slots].stylizer = fb_face_stylizer_new ();
  return engine->slots[engine->n_slots++].stylizer;
}

/* Faces that are no longer tracked lose their temporal state. */
static void
drop_lost_faces (FbEngine * engine, const FbTrackedFace * faces, int n_faces)
{
  int i = 0, j;

  while (i < engine->n_slots) {
    gboolean seen = FALSE;
    for (j = 0; j < n_faces && !seen; j++)
      seen = faces[j].id == engine->slots[i].id;
    if (seen)
      i++;
    else
      drop_slot (engine, i);
  }
}

static void
draw_landmarks (FbFrame * frame, const FbLandmarks * lm)
{
  static FbImage *dot_rgb, *dot_alpha;
  FbRect bounds = { 0, 0, frame->width, frame->height };
  int i;

  if (g_once_init_enter (&dot_alpha)) {
    FbImage *alpha = fb_image_new (3, 3, 1);
    dot_rgb = fb_image_new (3, 3, 3);
    memset (alpha->data, 255, 9);
    for (i = 0; i < 9; i++) {
      dot_rgb->data[3 * i] = 255;
      dot_rgb->data[3 * i + 1] = 40;
      dot_rgb->data[3 * i + 2] = 40;
    }
    g_once_init_leave (&dot_alpha, alpha);
  }
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    FbRect dot = { (int) lm->points[i].x - 1, (int) lm->points[i].y - 1, 3, 3 };
    if (fb_rect_intersect (dot, bounds).width == 3 && fb_rect_intersect (dot, bounds).height == 3)
      fb_frame_blend_rgb (frame, dot, dot_rgb, dot_alpha);
  }
}

int
fb_engine_process (FbEngine * engine, FbFrame * frame, gint64 timestamp_ns,
    const FbRenderParams * params, FbFaceResult * results, int max_results)
{
  FbTrackedFace faces[FB_TRACKER_MAX_FACES];
  FbRenderParams face_params = *params;
  int n_faces, n_results = 0, i;
  double start = g_get_monotonic_time () / 1000.0;

  g_return_val_if_fail (engine->style != NULL, -1);
  memset (&engine->times, 0, sizeof (engine->times));

  fb_frame_read_luma (engine->workers, frame, &engine->luma);
  n_faces = fb_tracker_process (engine->tracker, engine->luma, timestamp_ns,
      &params->tracking, faces, MIN (params->tracking.max_faces, FB_TRACKER_MAX_FACES));
  engine->times.landmarks = g_get_monotonic_time () / 1000.0 - start;
  drop_lost_faces (engine, faces, n_faces);

  for (i = 0; i < n_faces; i++) {
    FbFaceStylizer *stylizer = stylizer_for (engine, faces[i].id);
    FbFacePatch patch;
    double blend_start;
    if (!stylizer)
      continue;
    /* The background is painted once, around the first face. */
    face_params.stylize_background = params->stylize_background && i == 0;
    if (!fb_face_stylizer_run (stylizer, engine->workers, engine->style, engine->luma,
            &faces[i].landmarks, &face_params, &patch, &engine->times))
      continue;
    blend_start = g_get_monotonic_time () / 1000.0;
    fb_composite_patch_onto (engine->workers, &patch.source, patch.rect, frame);
    engine->times.compositing += g_get_monotonic_time () / 1000.0 - blend_start;
    if (params->debug_view == FB_DEBUG_VIEW_LANDMARKS)
      draw_landmarks (frame, &faces[i].landmarks);
    if (n_results < max_results) {
      results[n_results].id = faces[i].id;
      results[n_results].box = faces[i].box;
      results[n_results].landmarks = faces[i].landmarks;
      n_results++;
    }
  }
  engine->times.total = g_get_monotonic_time () / 1000.0 - start;
  return n_results;
}

void
fb_engine_get_stage_times (const FbEngine * engine, FbStageTimes * out)
{
  *out = engine->times;
}
