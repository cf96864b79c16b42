/* faceblit — the media of the project's own filter (tools/faceblit-paint): each turns
 * a photograph, already cropped and scaled to the picture's size, into a painting or
 * drawing of the same size. Deterministic: the same input and options give the same
 * bytes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "fb-canvas.h"

G_BEGIN_DECLS

typedef struct {
  float unit;                   /* brush and line width unit, px (0.3 % of the diagonal
                                 * times --stroke-scale) */
  float relief;                 /* strength of the paint's relief lighting */
  uint32_t seed;                /* of the strokes' randomness */
} FbMediumParams;

typedef FbCanvas *(*FbMediumFunc) (const FbCanvas * photo, const FbMediumParams * params);

/* fb-medium-oil.c: bristle brush strokes after an anisotropic Kuwahara smoothing. */
FbCanvas *fb_medium_oil (const FbCanvas * photo, const FbMediumParams * params);
/* fb-medium-dry.c: strokes along the forms, caught by the paper's tooth. */
FbCanvas *fb_medium_pencil (const FbCanvas * photo, const FbMediumParams * params);
FbCanvas *fb_medium_charcoal (const FbCanvas * photo, const FbMediumParams * params);
FbCanvas *fb_medium_pastel (const FbCanvas * photo, const FbMediumParams * params);
/* fb-medium-wet.c: washes that pool at their edges, and pen lines. */
FbCanvas *fb_medium_watercolour (const FbCanvas * photo, const FbMediumParams * params);
FbCanvas *fb_medium_ink (const FbCanvas * photo, const FbMediumParams * params);

G_END_DECLS
