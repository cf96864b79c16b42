/* faceblit — stylizes one face: maps it into the style's canonical space, builds its
 * guides, runs StyleBlit with the temporal guide, and returns a feathered patch of the
 * frame to blend (DESIGN.md §2.2–2.9).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-composite.h"
#include "fb-engine.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* Per tracked face: its buffers and its previous choices (the temporal guide). */
typedef struct FbFaceStylizer FbFaceStylizer;

/* What fb_composite_patch_onto blends into the frame: the frame pixels of rect, from
 * source, whose images the stylizer keeps until its next run. */
typedef struct {
  FbRect rect;
  FbPatchSource source;
} FbFacePatch;

FbFaceStylizer *fb_face_stylizer_new (void);
void fb_face_stylizer_free (FbFaceStylizer * stylizer);

/* luma: the whole frame (full-range grey); lm: the face's landmarks in frame pixels.
 * Returns FALSE when nothing of the face is visible (patch untouched). Adds the time
 * spent per stage to times. */
gboolean fb_face_stylizer_run (FbFaceStylizer * stylizer, FbWorkers * workers,
    const FbStyle * style, const FbImage * luma, const FbLandmarks * lm,
    const FbRenderParams * params, FbFacePatch * patch, FbStageTimes * times);

G_END_DECLS
