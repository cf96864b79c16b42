/* faceblit — the kernels of the guides: luma resampled into canonical space, its thin
 * dark details capped, appearance guide, face mask, histogram matching, positional guide, a painted background's
 * appearance guide.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"

#include "fb-face-guides-pixel.h"
#include "fb-guide-pixel.h"
#include "fb-mls-pixel.h"

FB_KERNEL
fb_resample_kernel (FbResampleArgs a)
{
  int span, y, x, x1, i;
  FbPoint f;

  if (!fb_thread_pixel ((a.region.width + FB_RESAMPLE_SPAN - 1) / FB_RESAMPLE_SPAN,
          a.region.height, &span, &y))
    return;
  x = span * FB_RESAMPLE_SPAN;
  x1 = fb_clampi (x + FB_RESAMPLE_SPAN, 0, a.region.width);
  f = fb_resample_row_start (a.to_frame, a.region, y);
  for (i = 0; i < x; i++)
    fb_resample_step (a.to_frame, &f);
  for (; x < x1; x++, fb_resample_step (a.to_frame, &f))
    a.luma[(size_t) y * a.region.width + x] = fb_resample_pixel (a.frame, a.frame_width,
        a.frame_width, a.frame_height, f);
}

FB_KERNEL
fb_blur_widen_kernel (FbBlurWidenArgs a)
{
  size_t i;

  if (fb_thread_value (a.width, a.height, &i))
    a.dst[i] = fb_blur_fixed_from_byte (a.src[i]);
}

FB_KERNEL
fb_box_pass_kernel (FbBoxPassArgs a)
{
  int x, y;

  if (!fb_thread_pixel (a.width, a.height, &x, &y))
    return;
  a.dst[(size_t) y * a.width + x] = a.vertical
      ? fb_box_pass_value (a.src + x, a.width, a.height, y, a.radius)
      : fb_box_pass_value (a.src + (size_t) y * a.width, 1, a.width, x, a.radius);
}

FB_KERNEL
fb_closing_pass_kernel (FbClosingPassArgs a)
{
  int x, y;

  if (!fb_thread_pixel (a.width, a.height, &x, &y))
    return;
  a.dst[(size_t) y * a.width + x] = a.vertical
      ? fb_closing_pass_value (a.src + x, a.width, a.height, y, a.radius, a.larger)
      : fb_closing_pass_value (a.src + (size_t) y * a.width, 1, a.width, x, a.radius,
      a.larger);
}

FB_KERNEL
fb_thin_dark_cap_kernel (FbThinDarkCapArgs a)
{
  int x, y;
  size_t i;

  if (!fb_thread_pixel (a.width, a.height, &x, &y))
    return;
  i = (size_t) y * a.width + x;
  a.out[i] = fb_thin_dark_cap (a.luma[i], fb_closing_pass_value (a.eroded_rows + x,
          a.width, a.height, y, a.radius, 0));
}

FB_KERNEL
fb_coverage_narrow_kernel (FbBlurNarrowArgs a)
{
  size_t i;

  if (fb_thread_value (a.width, a.height, &i))
    a.out[i] = fb_mask_inner_feather (fb_blur_byte_from_fixed (a.blur[i]));
}

FB_KERNEL
fb_appearance_kernel (FbBlurNarrowArgs a)
{
  size_t i;

  if (fb_thread_value (a.width, a.height, &i))
    a.out[i] = fb_appearance_pixel (a.luma[i], a.blur[i]);
}

FB_KERNEL
fb_face_mask_kernel (FbFaceMaskArgs a)
{
  int j, unused;

  if (fb_thread_pixel (a.rows, 1, &j, &unused))
    fb_face_mask_row (a.outline, a.y0 + j, a.width,
        a.delta + (size_t) j * (a.width + 2), a.mask + (size_t) (a.y0 + j) * a.width);
}

FB_KERNEL
fb_face_histogram_kernel (FbFaceHistogramArgs a)
{
  int i, j, gx, gy;

  if (!fb_thread_pixel (a.coverage_width, a.coverage_height, &i, &j)
      || !fb_coverage_inside (a.coverage[(size_t) j * a.coverage_width + i]))
    return;
  gx = fb_coverage_sample (i, a.shift, a.guide_width);
  gy = fb_coverage_sample (j, a.shift, a.guide_height);
  atomicAdd (&a.counts[a.guide[(size_t) gy * a.guide_width + gx]], 1u);
}

FB_KERNEL
fb_lut_kernel (FbLutArgs a)
{
  size_t i;

  if (fb_thread_value (a.width, a.height, &i))
    a.image[i] = a.lut[a.image[i]];
}

FB_KERNEL
fb_positional_kernel (FbPositionalArgs a)
{
  int x, y;
  float *xy;
  FbPoint p;

  if (!fb_thread_pixel (a.width, a.height, &x, &y))
    return;
  xy = a.pos + 2 * ((size_t) y * a.width + x);
  p = fb_mls_field_pixel (a.nodes, a.cols, a.spacing, x, y);
  xy[0] = p.x;
  xy[1] = p.y;
  if (a.tone_gains && x == fb_coverage_sample (x >> a.coverage_shift, a.coverage_shift,
          a.width) && y == fb_coverage_sample (y >> a.coverage_shift, a.coverage_shift,
          a.height))
    fb_backdrop_tone_gains (xy, a.style_width, a.style_height, a.corner_size, a.corner,
        a.tone, a.tone_stride, a.border_tone, a.tone_gains + (size_t) (y >> a.coverage_shift)
        * a.coverage_width + (x >> a.coverage_shift), a.tone_plane);
  if (a.fold)
    fb_fold_into_style_corner (xy, a.style_width, a.style_height, a.corner_size, a.corner);
}

FB_KERNEL
fb_background_appearance_kernel (FbBackgroundAppearanceArgs a)
{
  int x, y;
  size_t i;

  if (!fb_thread_pixel (a.width, a.height, &x, &y))
    return;
  i = (size_t) y * a.width + x;
  a.app[i] = fb_background_appearance (a.app[i], fb_coverage_at (a.coverage,
          a.coverage_width, a.coverage_height, a.coverage_width, a.coverage_shift,
          x * FB_PATCH_ONE, y * FB_PATCH_ONE),
      a.pos + 2 * i, a.style_guide, a.style_stride, a.style_width, a.style_height);
}
