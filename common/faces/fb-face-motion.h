/* faceblit — a face's motion between two frames, measured on the images. The landmark
 * predictor's fits jitter by a pixel or more on a still face with sensor noise (their
 * common shift alone by 1.4 px from frame to frame on a 190 px face); aligning the
 * thousands of grey levels of the eyes and nose does not. The tracker's smoothing
 * carries the landmarks by this motion and follows the fits only slowly, so that a
 * still face stays still and a moving one does not lag.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-image.h"
#include "fb-landmarks.h"

G_BEGIN_DECLS

/* A frame's grey levels around a face's eyes and nose, where its landmarks put them. */
typedef struct {
  FbImage *pixels;              /* NULL: none (yet) */
  int x0, y0;                   /* its top-left corner in the frame */
} FbFacePatch;

/* Keeps the patch of grey (1 channel) around lm's eyes and nose (replacing the old one). */
void fb_face_patch_take (FbFacePatch * patch, const FbImage * grey, const FbLandmarks * lm);
void fb_face_patch_clear (FbFacePatch * patch);

/* Refines `motion`, a guess of the similarity that maps the patch's frame onto grey
 * (the next frame), by Gauss-Newton on the grey levels (Lucas-Kanade, with a brightness
 * offset). FALSE, `motion` unchanged, when there is no patch, too little of it in the
 * frame, or the alignment does not settle on a plausible motion. */
gboolean fb_face_motion_refine (const FbFacePatch * previous, const FbImage * grey,
    FbSimilarity * motion);

G_END_DECLS
