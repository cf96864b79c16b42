/* faceblit — synthetic test footage: a face image moved, scaled and turned over a background.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-image.h"

G_BEGIN_DECLS

/* Grey level of the flat background around the face image. */
#define FB_SYNTH_BACKGROUND 110

/* Draws `face` (any channels >= 3) into a new width x height image of `channels` (3 or 4;
 * alpha is opaque) over a flat FB_SYNTH_BACKGROUND grey: the centre of `face` lands at
 * (cx, cy), scaled by `scale`, rotated by `angle` radians (clockwise on screen, y down);
 * bilinear sampling. A known moving face for samples, benchmarks and tests. */
FbImage *fb_synth_face_frame (const FbImage * face, int width, int height,
    int channels, float cx, float cy, float scale, float angle);

/* The same into an existing image (its size and channels are used; no allocation), so
 * that a video can be rendered frame after frame into one buffer. */
void fb_synth_face_frame_into (const FbImage * face, FbImage * out, float cx, float cy,
    float scale, float angle);

G_END_DECLS
