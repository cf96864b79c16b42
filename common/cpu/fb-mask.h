/* faceblit — the head mask drawn from 68 landmarks (DESIGN.md §2.9).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-image.h"
#include "fb-landmarks.h"
#include "fb-mask-pixel.h"

G_BEGIN_DECLS

/* Closed outline of the head: the jaw line 0..16, then an elliptical arc over the
 * forehead from 16 back to 0 whose top lies above the brows by about 0.45 x the
 * brow-to-chin distance. */
void fb_face_outline (const FbLandmarks * lm, FbPoint out[FB_FACE_OUTLINE_POINTS]);

/* The outline moved to a mask `height` rows high whose pixel (0, 0) sits at (origin_x,
 * origin_y), and the rows [*y0, *y1] that it may cover; FALSE where it covers none.
 * fb_face_mask_row fills each of them. */
gboolean fb_face_mask_outline (const FbLandmarks * lm, float origin_x, float origin_y,
    int height, FbPoint outline[FB_FACE_OUTLINE_POINTS], int *y0, int *y1);

/* Renders the outline filled (255 inside, 0 outside, anti-aliased edge) into mask,
 * whose pixel (0, 0) sits at (origin_x, origin_y) in the landmarks' coordinates, then
 * feathers it inwards (fb_mask_inner_feather) with a blur of sigma feather_sigma pixels
 * (0 = hard edge). */
void fb_face_mask_render (const FbLandmarks * lm, float origin_x, float origin_y,
    float feather_sigma, FbImage * mask);

G_END_DECLS
