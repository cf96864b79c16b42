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

/* A frame's grey levels around a face, where its landmarks put it. */
typedef struct {
  FbImage *pixels;              /* NULL: none (yet) */
  int x0, y0;                   /* its top-left corner in the frame */
  FbRect eyes_nose;             /* the part the face's motion is measured on, in frame pixels */
} FbFacePatch;

/* Keeps the patch of grey (1 channel) around lm's brows, eyes, nose and mouth (replacing
 * the old one). */
void fb_face_patch_take (FbFacePatch * patch, const FbImage * grey, const FbLandmarks * lm);
void fb_face_patch_clear (FbFacePatch * patch);

/* Refines `motion`, a guess of the similarity that maps the patch's frame onto grey
 * (the next frame), by Gauss-Newton on the grey levels (Lucas-Kanade, with a brightness
 * offset). FALSE, `motion` unchanged, when there is no patch, too little of it in the
 * frame, or the alignment does not settle on a plausible motion. */
gboolean fb_face_motion_refine (const FbFacePatch * previous, const FbImage * grey,
    FbSimilarity * motion);

/* Carries the landmarks `from`, where they were in the patch's frame, onto grey: the
 * jaw's by `motion`, the others each by the motion of the skin around it (Lucas-Kanade
 * on a small window, held towards `motion`'s prediction where the window's texture does
 * not say, as along an edge). A point whose window is not in both frames, or does not
 * settle, moves by `motion` alone. */
void fb_face_motion_carry (const FbFacePatch * previous, const FbImage * grey,
    FbSimilarity motion, const FbLandmarks * from, FbLandmarks * to);

G_END_DECLS
