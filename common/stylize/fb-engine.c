/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-engine.h"

#include <string.h>

#include "fb-backend.h"
#include "fb-stylize.h"

typedef struct {
  guint id;
  FbFaceStylizer *stylizer;
} FaceSlot;

struct FbEngine {
  FbTracker *tracker;
  FbBackend *backend;
  int n_threads;                /* of the CPU backend, should another fail */
  gboolean fall_back_to_cpu;
  GError *backend_failure;      /* why the engine went over to the CPU */
  FbStyle *style;
  const FbImage *luma;          /* this frame's, the backend's own */
  FbImage *kept_luma;           /* a copy that outlives a failed backend, for its frame */
  FaceSlot slots[FB_TRACKER_MAX_FACES];
  int n_slots;
  FbStageTimes times;
};

G_DEFINE_QUARK (fb-engine-error-quark, fb_engine_error)

void
fb_render_params_init_defaults (FbRenderParams * params)
{
  params->voting = 3;
  params->threshold = 100.0f;
  /* Higher keeps more of the previous frame's chunks (steadier seams, drift while
   * moving on target1: 1 -> 3 -> 10 gave 5.09 -> 4.92 -> 4.73), but the kept chunks
   * fragment as the face deforms: tiny chunks on 60 frames of target1 x ken 29 -> 30
   * -> 35 %. 3 keeps every clip within issue 9's 30 %. */
  params->lambda_temporal = 3.0f;
  params->stylize_background = FALSE;
  params->strength = 1.0f;
  params->lighting = 0.0f;
  params->mask_feather = 0.06f;
  params->synthesis_shift = 1;
  params->debug_view = FB_DEBUG_VIEW_NONE;
  params->tracking.max_faces = 4;
  params->tracking.min_face_size = FB_TRACKER_AUTO_MIN_FACE;
  params->tracking.detect_interval = 5;
  /* a still cutoff of 0.05 Hz (fb-tracker.c): at 0.5 (0.3 Hz) a still face's fits still
   * jittered through as flicker (Grace Hopper with lincolnbust: 0.39, at 0.7 0.27). A
   * fit that moves away faster than the dead band still opens the filter, so the
   * landmarks stay within about 0.6 % of the face's width of the fits either way. */
  params->tracking.smoothing = 0.7f;
}

FbEngine *
fb_engine_new_with_backend (const FbShapeModel * model, FbBackend * backend,
    int n_threads, gboolean fall_back_to_cpu, GError ** error)
{
  FbEngine *engine = g_new0 (FbEngine, 1);

  engine->tracker = fb_tracker_new (model, error);
  if (!engine->tracker) {
    fb_backend_free (backend);
    g_free (engine);
    return NULL;
  }
  engine->backend = backend;
  engine->n_threads = n_threads;
  engine->fall_back_to_cpu = fall_back_to_cpu;
  return engine;
}

FbEngine *
fb_engine_new (const FbShapeModel * model, int n_threads, GError ** error)
{
  return fb_engine_new_with_backend (model, fb_backend_cpu_new (n_threads), n_threads,
      FALSE, error);
}

const char *
fb_engine_backend_name (const FbEngine * engine)
{
  return engine->backend->name;
}

gboolean
fb_engine_takes_device_frames (const FbEngine * engine)
{
  return engine->backend->device_frames;
}

GError *
fb_engine_take_backend_failure (FbEngine * engine)
{
  GError *error = engine->backend_failure;

  engine->backend_failure = NULL;
  return error;
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
  fb_backend_free (engine->backend);
  fb_image_free (engine->kept_luma);
  g_clear_error (&engine->backend_failure);
  if (engine->style)
    fb_style_unref (engine->style);
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
  engine->slots[engine->n_slots].stylizer = fb_face_stylizer_new (engine->backend);
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

/* The backend failed (a GPU that ran out of memory or was lost): the faces start
 * afresh on the CPU, unless the user asked for that backend only. */
static gboolean
fall_back_to_cpu (FbEngine * engine)
{
  GError *error = fb_backend_take_error (engine->backend);

  if (!error)
    error = g_error_new (FB_ENGINE_ERROR, FB_ENGINE_ERROR_BACKEND, "%s failed",
        engine->backend->name);
  g_clear_error (&engine->backend_failure);
  engine->backend_failure = error;
  if (!engine->fall_back_to_cpu)
    return FALSE;
  drop_all_slots (engine);
  /* Mid-frame the luma is the failed backend's; the CPU stylizes this frame's faces
   * with it. */
  if (engine->luma) {
    fb_image_free (engine->kept_luma);
    engine->kept_luma = fb_image_copy (engine->luma);
    engine->luma = engine->kept_luma;
  }
  fb_backend_free (engine->backend);
  engine->backend = fb_backend_cpu_new (engine->n_threads);
  engine->fall_back_to_cpu = FALSE;
  return TRUE;
}

/* The backend failed in this frame: -1 when the engine cannot go on (no fall-back), 0
 * when the CPU takes the frame over, 1 when the frame goes on as the GPU left it: one
 * in device memory is out of the CPU's reach (the element maps the next ones on the
 * host, once the engine no longer takes device frames). */
static int
fall_back_in_frame (FbEngine * engine, const FbFrame * frame)
{
  if (!fall_back_to_cpu (engine))
    return -1;
  return frame->memory == FB_MEMORY_HOST ? 0 : 1;
}

int
fb_engine_process (FbEngine * engine, FbFrame * frame, gint64 timestamp_ns,
    const FbRenderParams * params, FbFaceResult * results, int max_results)
{
  FbTrackedFace faces[FB_TRACKER_MAX_FACES];
  FbRenderParams face_params = *params;
  int n_faces, n_results = 0, failed, i;
  double start = g_get_monotonic_time () / 1000.0;

  g_return_val_if_fail (engine->style != NULL, -1);
  memset (&engine->times, 0, sizeof (engine->times));

  engine->luma = NULL;
  while (!engine->backend->klass->begin_frame (engine->backend, frame, &engine->luma))
    if ((failed = fall_back_in_frame (engine, frame)) != 0)
      return failed < 0 ? -1 : 0;
  n_faces = fb_tracker_process (engine->tracker, engine->luma, timestamp_ns,
      &params->tracking, faces, MIN (params->tracking.max_faces, FB_TRACKER_MAX_FACES));
  engine->times.landmarks = g_get_monotonic_time () / 1000.0 - start;
  drop_lost_faces (engine, faces, n_faces);

  for (i = 0; i < n_faces; i++) {
    FbFaceStylizer *stylizer = stylizer_for (engine, faces[i].id);
    FbStylizeResult result;
    if (!stylizer)
      continue;
    /* The background is painted once, around the first face. */
    face_params.stylize_background = params->stylize_background && i == 0;
    result = fb_face_stylizer_run (stylizer, engine->style, engine->luma,
        &faces[i].landmarks, &face_params, frame, &engine->times);
    if (result == FB_STYLIZE_FAILED) {
      if ((failed = fall_back_in_frame (engine, frame)) != 0)
        return failed < 0 ? -1 : n_results;
      i--;                      /* this face again, on the CPU */
      continue;
    }
    if (result == FB_STYLIZE_NOT_SHOWN)
      continue;
    if (params->debug_view == FB_DEBUG_VIEW_LANDMARKS
        && !engine->backend->klass->mark_landmarks (engine->backend, frame,
            &faces[i].landmarks)) {
      if ((failed = fall_back_in_frame (engine, frame)) != 0)
        return failed < 0 ? -1 : n_results;
      continue;
    }
    if (n_results < max_results) {
      results[n_results].id = faces[i].id;
      results[n_results].box = faces[i].box;
      results[n_results].landmarks = faces[i].landmarks;
      n_results++;
    }
  }
  /* the frame is what the faces done so far made of it: on the CPU it is where it was */
  if (!engine->backend->klass->end_frame (engine->backend, frame)
      && !fall_back_to_cpu (engine))
    return -1;
  engine->times.total = g_get_monotonic_time () / 1000.0 - start;
  return n_results;
}

void
fb_engine_get_stage_times (const FbEngine * engine, FbStageTimes * out)
{
  *out = engine->times;
}
