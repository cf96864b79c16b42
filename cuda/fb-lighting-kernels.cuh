/* faceblit — the kernels of the lighting option: the weighted lumas, their rows' sums,
 * the gains and the relit output.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"

#include "fb-lighting-pixel.h"

FB_KERNEL
fb_lighting_sample_kernel (FbLightingSampleArgs a)
{
  int i, j;

  if (!fb_thread_pixel (a.width, a.height, &i, &j))
    return;
  fb_lighting_sample (&a.samples, i, j, a.target + (size_t) j * a.width + i,
      a.stylized + (size_t) j * a.width + i);
}

FB_KERNEL
fb_lighting_row_sums_kernel (FbLightingRowSumsArgs a)
{
  int j, unused;

  if (!fb_thread_pixel (a.height, 1, &j, &unused))
    return;
  a.row_sums[2 * j] = fb_lighting_row_sum (a.target + (size_t) j * a.width, a.width);
  a.row_sums[2 * j + 1] = fb_lighting_row_sum (a.stylized + (size_t) j * a.width, a.width);
}

FB_KERNEL
fb_lighting_gain_kernel (FbLightingGainArgs a)
{
  size_t k;

  uint16_t gain;

  if (!fb_thread_value (a.width, a.height, &k))
    return;
  gain = fb_lighting_gain (a.target[k], a.stylized[k], a.level_ratio, a.coverage[k],
      a.lighting);
  fb_lighting_gains_for_tone (gain, a.tone_gains, (size_t) a.width * a.height, k,
      a.gains);
}

FB_KERNEL
fb_lighting_apply_kernel (FbLightingApplyArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.width, a.height, &x, &y))
    fb_lighting_pixel (a.gains, a.plane, a.gains_width, a.gains_height, a.shift, x, y,
        a.colours + 3 * ((size_t) y * a.width + x));
}
