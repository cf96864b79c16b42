/* faceblit — the whole per-frame pipeline behind one small API: track faces, stylize
 * each in its canonical space, composite. Used by the GStreamer element, the tools and
 * the benchmark. GStreamer-free.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-debug-view.h"
#include "fb-frame.h"
#include "fb-style.h"
#include "fb-tracker.h"

G_BEGIN_DECLS


/* Everything that may change between two frames. */
typedef struct {
  int voting;                   /* 1 (off), 3 or 5 */
  float threshold;              /* StyleBlit acceptance threshold */
  float lambda_temporal;        /* weight of the temporal term; 0 = off */
  gboolean stylize_background;
  float strength;               /* the stylized faces over the frame: 0 = hidden, 1 = opaque */
  /* the faces' large-scale shading: 0 = the exemplar's, 1 = the target's
   * (fb-lighting.h) */
  float lighting;
  float mask_feather;           /* feather sigma as a fraction of the face width */
  /* The nearest-neighbour field is searched at 1 / 2^synthesis_shift of the output
   * resolution (0 or 1) and upsampled; the style's pixels are copied at full resolution
   * either way. */
  int synthesis_shift;
  FbDebugView debug_view;
  FbTrackerParams tracking;
} FbRenderParams;

void fb_render_params_init_defaults (FbRenderParams * params);

/* What the engine reports for each face it stylized. */
typedef struct {
  guint id;
  FbRect box;                   /* frame pixels, clipped */
  FbLandmarks landmarks;        /* frame pixels */
} FbFaceResult;

typedef struct FbEngine FbEngine;
typedef struct FbBackend FbBackend;

#define FB_ENGINE_ERROR (fb_engine_error_quark ())
GQuark fb_engine_error_quark (void);
typedef enum {
  FB_ENGINE_ERROR_BACKEND,      /* the backend failed while processing a frame */
} FbEngineError;

/* On the CPU backend. model is borrowed. n_threads <= 0: one per core. */
FbEngine *fb_engine_new (const FbShapeModel * model, int n_threads, GError ** error);
/* On `backend` (taken, also on failure). Should it fail while processing frames, the
 * engine goes on with a CPU backend of n_threads if fall_back_to_cpu (a frame in device
 * memory, which the CPU cannot reach, then goes on as the GPU left it: its faces from
 * there on are not stylized), else fb_engine_process returns -1;
 * fb_engine_take_backend_failure then says why. */
FbEngine *fb_engine_new_with_backend (const FbShapeModel * model, FbBackend * backend,
    int n_threads, gboolean fall_back_to_cpu, GError ** error);
/* "CPU (2 threads)", "CUDA device 0 (...)": where frames are processed now. */
const char *fb_engine_backend_name (const FbEngine * engine);
/* Whether frames may be in FB_MEMORY_CUDA (on the CUDA backend's GPU). */
gboolean fb_engine_takes_device_frames (const FbEngine * engine);
/* Why the engine left its first backend (NULL: it did not), once. */
GError *fb_engine_take_backend_failure (FbEngine * engine);
void fb_engine_free (FbEngine * engine);

/* Swaps in a style (takes a reference); the next frame uses it. Temporal state resets. */
void fb_engine_set_style (FbEngine * engine, FbStyle * style);

/* Stylizes the frame in place and reports the faces (at most max_faces written).
 * A frame without a face is left bit-exact unless stylize_background is set. -1: the
 * backend failed and the engine could not go on (fb_engine_take_backend_failure). */
int fb_engine_process (FbEngine * engine, FbFrame * frame, gint64 timestamp_ns,
    const FbRenderParams * params, FbFaceResult * faces, int max_faces);

/* Forgets tracking and temporal state (flush, seek, discontinuity, caps change). */
void fb_engine_reset (FbEngine * engine);

/* Per-stage timings of the last processed frame, in milliseconds. */
typedef struct {
  double landmarks, guides, seeds, synthesis, voting, temporal, compositing, total;
} FbStageTimes;
void fb_engine_get_stage_times (const FbEngine * engine, FbStageTimes * out);

G_END_DECLS
