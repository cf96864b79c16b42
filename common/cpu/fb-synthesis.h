/* faceblit — StyleBlit over a region of canonical space on the CPU threads: seed
 * lookups, the nearest-neighbour field, and voting (DESIGN.md §2.6–2.7).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-blit.h"
#include "fb-style.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* Seed levels for a region, reused from frame to frame, and the previous frame's. */
typedef struct {
  int n_levels;
  FbSeedLevel levels[FB_BLIT_MAX_LEVELS];
  size_t capacity[FB_BLIT_MAX_LEVELS];
  int n_previous_levels;
  FbSeedLevel previous[FB_BLIT_MAX_LEVELS];
  size_t previous_capacity[FB_BLIT_MAX_LEVELS];
  uint32_t *previous_u[FB_BLIT_MAX_LEVELS];     /* levels[k].previous_u */
  size_t previous_u_capacity[FB_BLIT_MAX_LEVELS];
  /* fb_nearest_seed_cell of levels 1 .. n_nearest_levels-1 over a window of canonical
   * space around the region, kept while the regions stay inside it */
  int n_nearest_levels;
  int nearest_x0;
  int nearest_y0;
  int nearest_width;
  int nearest_height;
  uint8_t *nearest[FB_BLIT_MAX_LEVELS];
} FbSeedLevels;

void fb_seed_levels_clear (FbSeedLevels * seeds);

FbBlitStyle fb_blit_style_from_level (const FbStyleLevel * level);

/* Places the seeds of levels 1 .. n_levels-1 (coarsest spacing 2^(n_levels-1)) around
 * the target region; their u* are looked up when the synthesis first needs them. Maps
 * of each pixel's nearest seed are made when the region leaves the window they cover.
 * With history, seeds start from what they took in the previous call (the same
 * canonical space, possibly another region). */
void fb_synthesis_seeds (FbWorkers * workers, const FbBlitTarget * target, int n_levels,
    gboolean with_history, FbSeedLevels * seeds);

/* Fills nnf (width x height of the target). A pixel whose guides have settled
 * (fb_blit_settled) keeps its previous choice. settled_out (3 floats per pixel, or NULL)
 * receives the guides each choice was made with, the next frame's target->settled. */
void fb_synthesis_nnf (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const FbSeedLevels * seeds, int32_t * nnf,
    float *settled_out);

/* Removes the specks of nnf (fb_nnf_despeckled, FB_DESPECKLE_PASSES times); scratch:
 * as large as nnf. */
void fb_synthesis_despeckle (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, int32_t * nnf, int32_t * scratch);

/* out: 3-channel image of the target's size. voting: 1, 3 or 5. Pixels the target does
 * not cover get their own NNF pixel, unvoted. */
void fb_synthesis_vote (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const int32_t * nnf, int voting, FbImage * out);

/* The same on a half-resolution NNF (target->width / 2 x target->height / 2, into the
 * style level below `style`), as if upsampled with fb_nnf_upsample. */
void fb_synthesis_vote_upsampled (FbWorkers * workers, const FbBlitStyle * style,
    const FbBlitTarget * target, const int32_t * coarse, int voting, FbImage * out);

G_END_DECLS
