/* faceblit — the temporal guide, seeds, StyleBlit synthesis, voting and debug views.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"

FB_KERNEL
fb_seeds_kernel (FbSeedsArgs a)
{
  int i, j;

  if (fb_thread_pixel (a.level.cols, a.level.rows, &i, &j))
    fb_seed_cell_init (a.k, &a.level, &a.previous, a.previous_u, i, j);
}

FB_KERNEL
fb_nearest_kernel (FbNearestArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.width, a.height, &x, &y))
    a.map[(size_t) y * a.width + x] = (uint8_t) fb_nearest_seed_cell (a.k, a.x0 + x,
        a.y0 + y);
}

FB_KERNEL
fb_history_kernel (FbHistoryArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.region.width, a.region.height, &x, &y))
    fb_history_entry (a.prev_nnf, a.prev_settled, a.prev_region.x, a.prev_region.y,
        a.prev_region.width, a.prev_region.height, a.region.x, a.region.y,
        a.region.width, x, y, a.previous, a.previous_settled);
}

FB_KERNEL
fb_nnf_kernel (FbNnfArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.target.width, a.target.height, &x, &y))
    fb_nnf_entry (&a.style, &a.target, a.levels, a.n_levels, x, y, a.nnf, a.settled_out);
}

FB_KERNEL
fb_despeckle_kernel (FbDespeckleArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.width, a.height, &x, &y))
    a.out[(size_t) y * a.width + x] = fb_nnf_despeckled (a.in, a.width, a.height,
        a.style_width, a.style_height, x, y);
}

FB_KERNEL
fb_vote_kernel (FbVoteArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.target.width, a.target.height, &x, &y))
    fb_vote_entry (&a.style, &a.target, a.nnf, x, y, a.radius,
        a.out + ((size_t) y * a.target.width + x) * 3);
}

FB_KERNEL
fb_vote_upsampled_kernel (FbVoteArgs a)
{
  int qx, qy;
  int32_t cells[9];
  const uint8_t *base[9];

  if (fb_thread_pixel (a.target.width >> 1, a.target.height >> 1, &qx, &qy)) {
    uint8_t *row0 = a.out + ((size_t) 2 * qy * a.target.width + 2 * qx) * 3;
    uint8_t *row1 = row0 + (size_t) a.target.width * 3;
    if (fb_vote_upsampled_cell (&a.style, &a.target, a.nnf, a.radius, qx, qy, row0, row1,
            cells, base))
      fb_vote_upsampled_seam (&a.style, cells, row0, row1);
  }
}

FB_KERNEL
fb_debug_view_kernel (FbDebugViewArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.width, a.height, &x, &y))
    fb_debug_view_pixel (&a.source, x, y, a.out + ((size_t) y * a.width + x) * 3);
}
