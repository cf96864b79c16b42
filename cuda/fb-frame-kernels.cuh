/* faceblit — the kernels of the frame: its luma for tracking, compositing the faces
 * into it, the landmark dots.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-kernel-thread.cuh"

FB_KERNEL
fb_frame_luma_kernel (FbFrameLumaArgs a)
{
  int x, y;

  if (fb_thread_pixel (a.frame.width, a.frame.height, &x, &y))
    a.luma[(size_t) y * a.frame.width + x] = fb_frame_luma_at (&a.frame, x, y);
}

FB_KERNEL
fb_composite_packed_kernel (FbCompositeArgs a)
{
  FbPackedLayout l = fb_packed_layout (a.frame.format);
  uint8_t rgb[3], alpha;
  int x, y;

  if (!fb_thread_pixel (a.patch.width, a.patch.height, &x, &y))
    return;
  x += a.patch.x;
  y += a.patch.y;
  alpha = fb_patch_pixel (&a.sampler, a.patch.x, x, y, rgb);
  if (alpha > 0)
    fb_packed_blend (fb_frame_pixel (&a.frame, l.bpp, x, y), l.r, l.g, l.b, l.extra, rgb,
        alpha);
}

/* Each thread owns a chroma sample and its (up to) four luma pixels, so that threads
 * never write the same byte (fb_cuda_frame_composite's geometry). */
FB_KERNEL
fb_composite_yuv_kernel (FbCompositeArgs a)
{
  const FbYuvLayout *l = &a.layout;
  int cx0 = a.patch.x >> l->chroma_x_shift, cy0 = a.patch.y >> l->chroma_y_shift;
  int x1 = a.patch.x + a.patch.width, y1 = a.patch.y + a.patch.height, cx, cy, k;
  uint8_t rgb[12], alpha[4];

  if (!fb_thread_pixel (((x1 - 1) >> l->chroma_x_shift) + 1 - cx0,
          ((y1 - 1) >> l->chroma_y_shift) + 1 - cy0, &cx, &cy))
    return;
  cx += cx0;
  cy += cy0;
  for (k = 0; k < 4; k++) {
    int x, y;
    alpha[k] = fb_chroma_block_pixel (l, cx, cy, k, &x, &y) && x >= a.patch.x && x < x1
        && y >= a.patch.y && y < y1
        ? fb_patch_pixel (&a.sampler, a.patch.x, x, y, rgb + 3 * k) : 0;
  }
  fb_yuv_blend_sample (&a.frame, l, &a.coeffs, cx, cy, alpha, rgb);
}

/* The dot's pixels in chroma sample (cx, cy), with the dot's colour. */
static __device__ inline void
fb_mark_sample (const FbYuvLayout * l, FbRect dot, int cx, int cy, uint8_t * alpha,
    uint8_t * rgb)
{
  int k;

  for (k = 0; k < 4; k++) {
    int x, y;
    alpha[k] = fb_chroma_block_pixel (l, cx, cy, k, &x, &y) && x >= dot.x
        && x < dot.x + dot.width && y >= dot.y && y < dot.y + dot.height ? 255 : 0;
    rgb[3 * k] = FB_MARK_R;
    rgb[3 * k + 1] = FB_MARK_G;
    rgb[3 * k + 2] = FB_MARK_B;
  }
}

FB_KERNEL
fb_mark_points_kernel (FbMarkArgs a)
{
  const uint8_t colour[3] = { FB_MARK_R, FB_MARK_G, FB_MARK_B };
  FbPackedLayout l = fb_packed_layout (a.frame.format);
  int i, x, y;

  if (!fb_thread_pixel (1, 1, &x, &y))
    return;
  for (i = 0; i < a.n_points; i++) {
    FbRect dot;
    if (!fb_mark_dot (a.points[i], a.frame.width, a.frame.height, &dot))
      continue;
    if (l.bpp) {
      for (y = dot.y; y < dot.y + dot.height; y++)
        for (x = dot.x; x < dot.x + dot.width; x++)
          fb_packed_blend (fb_frame_pixel (&a.frame, l.bpp, x, y), l.r, l.g, l.b, l.extra,
              colour, 255);
    } else {
      int xs = a.layout.chroma_x_shift, ys = a.layout.chroma_y_shift;
      for (y = dot.y >> ys; y <= (dot.y + dot.height - 1) >> ys; y++)
        for (x = dot.x >> xs; x <= (dot.x + dot.width - 1) >> xs; x++) {
          uint8_t alpha[4], rgb[12];
          fb_mark_sample (&a.layout, dot, x, y, alpha, rgb);
          fb_yuv_blend_sample (&a.frame, &a.layout, &a.coeffs, x, y, alpha, rgb);
        }
    }
  }
}
