/* faceblit — a face's guides on the CPU threads: the frame's luma resampled into the
 * synthesis region, its appearance guide matched to the style's histogram inside the
 * face, the feathered face mask and the MLS positional guide (DESIGN.md §2.3-2.4).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-backend.h"
#include "fb-image.h"
#include "fb-mls.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* Kept from frame to frame so that the streaming thread does not allocate. */
typedef struct {
  FbImage *luma;
  FbImage *detail_luma;         /* the luma with thin dark details capped */
  FbImage *closing;             /* fb_cap_thin_dark's working memory */
  FbImage *guide;               /* G_app, synthesis-region-sized */
  FbImage *coverage;            /* the feathered mask, plan->coverage_* geometry */
  float *pos;                   /* G_pos: 2 floats per pixel */
  size_t pos_capacity;          /* pixels */
  uint16_t *tone_gains;         /* fb_backdrop_tone_gains: 3 coverage-sized planes */
  size_t tone_gains_capacity;
  FbPoint *nodes;
  gint *node_rows_done;         /* as many as nodes */
  size_t nodes_capacity;
} FbFaceGuides;

void fb_face_guides_build (FbFaceGuides * guides, FbWorkers * workers,
    const FbFacePlan * plan, const FbImage * frame_luma);
void fb_face_guides_clear (FbFaceGuides * guides);

/* The pieces that a backend building the guides elsewhere shares with
 * fb_face_guides_build: */
/* the landmarks in the coverage's pixels, and the feather's sigma there; */
float fb_face_coverage_landmarks (const FbFacePlan * plan, FbLandmarks * lm);
/* the positional guide's MLS field over the synthesis region (nodes and field unset),
 * its grid spacing FB_FACE_MLS_SPACING. */
#define FB_FACE_MLS_SPACING 8
FbMlsField fb_face_positional_field (const FbFacePlan * plan);

G_END_DECLS
