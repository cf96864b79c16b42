/* faceblit — plain 8-bit images used throughout the core.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* A packed 8-bit image: channels is 1 (grey, guide, alpha), 3 (RGB) or 4. */
typedef struct {
  int width;
  int height;
  int channels;
  int stride;                   /* bytes per row */
  uint8_t *data;
} FbImage;

/* Zero-filled, stride = width * channels. */
FbImage *fb_image_new (int width, int height, int channels);
/* fb_image_new, or NULL when memory is short: for sizes that come from input files. */
FbImage *fb_image_try_new (int width, int height, int channels);
FbImage *fb_image_copy (const FbImage * image);
void fb_image_free (FbImage * image);
/* Reallocates only when the size or channel count differ; contents undefined. */
void fb_image_ensure (FbImage ** image, int width, int height, int channels);

static inline uint8_t *
fb_image_row (const FbImage * image, int y)
{
  return image->data + (size_t) y * image->stride;
}

/* Half-size copy by 2x2 averaging (odd edges replicate). */
FbImage *fb_image_downscale_2x (const FbImage * image);
/* The same into *half, reallocated only when its size differs. */
void fb_image_downscale_2x_into (const FbImage * image, FbImage ** half);

/* A width x height copy, resampled with a Catmull-Rom cubic widened by the reduction
 * factor (so that a reduction averages every source pixel, without aliasing), in
 * fixed point: the same bytes on every machine. Pixel centres map onto pixel centres:
 * x_out + 0.5 = (x_in + 0.5) * width / image->width, and likewise for y. */
FbImage *fb_image_resize (const FbImage * image, int width, int height);

/* Rec.601 luma of an RGB image (any channels >= 3) into a 1-channel image. */
void fb_image_rgb_to_luma (const FbImage * rgb, FbImage * luma);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbImage, fb_image_free)

G_END_DECLS
