/* faceblit — the face's patch of the frame: canonical-space output resampled onto the
 * frame's pixels, with the feathered mask as opacity (DESIGN.md §2.9).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-geometry.h"
#include "fb-image.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* What a patch is sampled from. */
typedef struct {
  FbSimilarity to_canonical;    /* frame pixels -> canonical pixels */
  FbRect region;                /* the canonical pixels `colours` holds */
  const FbImage *colours;       /* 3 channels, region-sized */
  const FbImage *coverage;      /* feathered mask at 1 / 2^coverage_shift of the region's
                                 * resolution; NULL: opaque wherever colours reach */
  int coverage_shift;
  gboolean nearest;             /* copy colours' pixels instead of interpolating them */
} FbPatchSource;

/* Fills rgb and alpha (patch-sized, 3 and 1 channels) for the frame pixels of patch.
 * Alpha is 0 outside the region; rgb is left as it was where alpha is 0. */
void fb_composite_patch (FbWorkers * workers, const FbPatchSource * source, FbRect patch,
    FbImage * rgb, FbImage * alpha);

G_END_DECLS
