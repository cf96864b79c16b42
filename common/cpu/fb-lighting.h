/* faceblit — the lighting option (issue 9, section 3): the target's large-scale shading
 * carried onto a face's stylized output, which otherwise has the exemplar's (a face lit
 * from the left would come out lit as the exemplar is). What both backends share of it,
 * and the CPU backend's stage on FbWorkers; the arithmetic is fb-lighting-pixel.h's.
 *
 * The method: at the coverage's resolution, the coverage-weighted luma of the target
 * and of the stylized output is blurred to the face's large scale (sigma
 * FB_LIGHTING_BLUR_FRACTION of the face's width: light and shadow, not the eyes, the
 * nose or the strokes); each sample's gain is the target's large-scale luma relative to
 * its mean over the face divided by the stylized output's relative to its own mean,
 * clamped, moved towards 1 by the lighting property and by the coverage; every output
 * pixel's colour is multiplied by the gain map sampled bilinearly there (a brightening
 * eased below white, fb_lighting_lift). A ratio rather
 * than a difference: shading multiplies what it falls on, and multiplying the encoded
 * colours by a ratio of encoded lumas is the same as in linear light, the transfer being
 * close to a power. What both faces share at that scale (the eyes' sockets, the
 * nostrils' shadow: the faces are aligned) cancels in the ratio; what only the
 * exemplar's lighting made is divided out, what only the target's made is multiplied
 * in. Blurs normalised by the coverage keep the target's backdrop and the exemplar's
 * hair out of the face's edge. The gain map is a few thousand samples, so the cost is
 * one pass over the output.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-backend.h"
#include "fb-image.h"
#include "fb-lighting-pixel.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* The large scale: the blur's sigma as a fraction of the face's width. A tenth or less
 * keeps the eyes' and the mouth's shapes in the gain (ghosts of the target's features
 * on the stylized face); a fifth or more spreads the light across the whole face. */
#define FB_LIGHTING_BLUR_FRACTION 0.12f

/* The lighting property in fixed point (FB_LIGHTING_FULL is 1): FbFacePlan.lighting. */
int fb_lighting_fixed (float lighting);

/* The blur's sigma in the coverage's samples. */
float fb_face_plan_lighting_sigma (const FbFacePlan * plan);

/* What the weighted lumas are sampled from: the target's luma in the synthesis region
 * and the output (3 channels, plan->region-sized), with the coverage (host or device
 * addresses; strides in bytes). */
FbLightingSamples fb_face_plan_lighting_samples (const FbFacePlan * plan,
    const uint8_t * luma, int luma_stride, const uint8_t * colours, int colours_stride,
    const uint8_t * coverage, int coverage_stride);

/* How far a frame's level ratio moves the one in use: 1 / 2^FB_LIGHTING_RATIO_EASE_LOG2
 * of the way. The stylized face's mean luma changes from frame to frame as its chunks
 * do, and the whole face's brightness followed it: on a still face with sensor noise
 * that was half the flicker that lighting added. An eighth a frame settles within a
 * quarter of a second at 30 fps. */
#define FB_LIGHTING_RATIO_EASE_LOG2 3

/* The stylized face's mean luma over the target's (16.16, clamped to 1/16 .. 16) from
 * the row sums of their weighted lumas: `rows` pairs, the target's then the stylized
 * output's; eased from `previous`, the ratio the face's previous frame used (0: none,
 * this frame's is taken as it is). */
uint32_t fb_lighting_level_ratio (const uint32_t * row_sums, int rows, uint32_t previous);

/* A CPU face's lighting buffers, kept from frame to frame. */
typedef struct {
  FbImage *target;              /* the weighted lumas, coverage-sized */
  FbImage *stylized;
  uint16_t *target_blurred;     /* their large scale, 8.8 fixed point */
  uint16_t *stylized_blurred;
  uint16_t *gains;              /* 4.12 fixed point, coverage-sized, 1 or 3 planes */
  uint32_t *row_sums;           /* 2 per coverage row */
  size_t samples_capacity;
  size_t rows_capacity;
} FbFaceLighting;

/* Multiplies the face's output (3 channels, plan->region-sized) by the gain map made
 * from the target's luma in the synthesis region and the coverage (plan->coverage_*
 * geometry), and by the backdrop's tone gains (3 coverage-sized planes, one per
 * channel, fb_backdrop_tone_gains: plan->backdrop_tone; else NULL). plan->lighting > 0
 * or tone_gains. level_ratio: the face's previous frame's level ratio (0: none),
 * replaced by this frame's (fb_lighting_level_ratio) when plan->lighting > 0. */
void fb_face_lighting_apply (FbFaceLighting * lighting, FbWorkers * workers,
    const FbFacePlan * plan, const FbImage * luma, const FbImage * coverage,
    const uint16_t * tone_gains, FbImage * output, uint32_t * level_ratio);
void fb_face_lighting_clear (FbFaceLighting * lighting);

G_END_DECLS
