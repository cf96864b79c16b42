/* faceblit — stylizes one face: decides, once per frame, its level of the style, its
 * region of canonical space, its guides' geometry and its temporal guide (FbFacePlan),
 * and has the backend run each stage on it (DESIGN.md §2.2–2.9).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-backend.h"
#include "fb-engine.h"

G_BEGIN_DECLS

/* Per tracked face: its buffers on the backend and what its previous choices (the
 * temporal guide) were made for. */
typedef struct FbFaceStylizer FbFaceStylizer;

typedef enum {
  FB_STYLIZE_SHOWN,             /* the face is composited into the frame */
  FB_STYLIZE_NOT_SHOWN,         /* nothing of the face is visible */
  FB_STYLIZE_FAILED,            /* the backend failed (fb_backend_take_error) */
} FbStylizeResult;

/* backend: borrowed, outlives the stylizer. */
FbFaceStylizer *fb_face_stylizer_new (FbBackend * backend);
void fb_face_stylizer_free (FbFaceStylizer * stylizer);

/* luma: the whole frame (full-range grey, from the backend's frame_luma); lm: the
 * face's landmarks in frame pixels. Composites the face into frame, and adds the time
 * spent per stage to times. */
FbStylizeResult fb_face_stylizer_run (FbFaceStylizer * stylizer, const FbStyle * style,
    const FbImage * luma, const FbLandmarks * lm, const FbRenderParams * params,
    FbFrame * frame, FbStageTimes * times);

G_END_DECLS
