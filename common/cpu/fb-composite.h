/* faceblit — the face's patch of the frame: canonical-space output resampled onto the
 * frame's pixels, with the feathered mask as opacity (DESIGN.md §2.9).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-composite-pixel.h"
#include "fb-frame.h"
#include "fb-geometry.h"
#include "fb-image.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* What a patch is sampled from. */
typedef struct {
  FbSimilarity to_canonical;    /* frame pixels -> canonical pixels */
  FbRect region;                /* the canonical pixels `colours` holds (< 32768 wide) */
  const FbImage *colours;       /* 3 channels, region-sized */
  const FbImage *coverage;      /* feathered mask at 1 / 2^coverage_shift of the region's
                                 * resolution; NULL: opaque wherever colours reach */
  int coverage_shift;
  gboolean nearest;             /* copy colours' pixels instead of interpolating them */
  float strength;               /* of the face over the frame: 0 = hidden, 1 = opaque */
  gboolean hard_edge;           /* opaque wherever coverage is above 0 (fb_patch_opacity) */
} FbPatchSource;

/* The same as plain data, with its steps: what fb_patch_pixel samples. The images'
 * data may be device addresses. */
FbPatchSampler fb_patch_sampler (const FbPatchSource * source);

/* Blends the frame pixels of `patch` (clipped to the frame) with the colours at their
 * canonical positions (bilinear, or nearest), the coverage there (bilinear) faded by
 * the strength as opacity: what fb_frame_blend_rgb would do with such an rgb and
 * alpha, in one pass and in bands on the workers, without those images. Pixels whose
 * canonical position is outside the region, or whose opacity is 0, are left
 * bit-exact. */
void fb_composite_patch_onto (FbWorkers * workers, const FbPatchSource * source,
    FbRect patch, FbFrame * frame);

G_END_DECLS
