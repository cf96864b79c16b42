/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-image.h"

#include <string.h>

FbImage *
fb_image_try_new (int width, int height, int channels)
{
  FbImage *image;
  guint8 *data;

  g_return_val_if_fail (width > 0 && height > 0 && channels >= 1 && channels <= 4, NULL);
  data = g_try_malloc0 ((size_t) width * channels * height);
  if (!data)
    return NULL;
  image = g_new0 (FbImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = width * channels;
  image->data = data;
  return image;
}

FbImage *
fb_image_new (int width, int height, int channels)
{
  FbImage *image;

  g_return_val_if_fail (width > 0 && height > 0 && channels >= 1 && channels <= 4, NULL);
  image = fb_image_try_new (width, height, channels);
  if (!image)
    g_error ("faceblit: out of memory for a %dx%d image of %d channels", width, height,
        channels);
  return image;
}

FbImage *
fb_image_copy (const FbImage * image)
{
  FbImage *copy = fb_image_new (image->width, image->height, image->channels);
  int y;

  for (y = 0; y < image->height; y++)
    memcpy (fb_image_row (copy, y), fb_image_row (image, y), copy->stride);
  return copy;
}

void
fb_image_free (FbImage * image)
{
  if (!image)
    return;
  g_free (image->data);
  g_free (image);
}

void
fb_image_ensure (FbImage ** image, int width, int height, int channels)
{
  FbImage *old = *image;

  if (old && old->width == width && old->height == height && old->channels == channels)
    return;
  fb_image_free (old);
  *image = fb_image_new (width, height, channels);
}

FbImage *
fb_image_downscale_2x (const FbImage * image)
{
  FbImage *half = NULL;

  fb_image_downscale_2x_into (image, &half);
  return half;
}

void
fb_image_downscale_2x_into (const FbImage * image, FbImage ** half_out)
{
  int w = (image->width + 1) / 2, h = (image->height + 1) / 2, c = image->channels;
  FbImage *half;
  int x, y, k;

  fb_image_ensure (half_out, w, h, c);
  half = *half_out;
  for (y = 0; y < h; y++) {
    const uint8_t *r0 = fb_image_row (image, 2 * y);
    const uint8_t *r1 = fb_image_row (image, MIN (2 * y + 1, image->height - 1));
    uint8_t *out = fb_image_row (half, y);
    for (x = 0; x < w; x++) {
      int x0 = 2 * x, x1 = MIN (2 * x + 1, image->width - 1);
      for (k = 0; k < c; k++)
        out[x * c + k] = (r0[x0 * c + k] + r0[x1 * c + k] + r1[x0 * c + k]
            + r1[x1 * c + k] + 2) >> 2;
    }
  }
}

void
fb_image_rgb_to_luma (const FbImage * rgb, FbImage * luma)
{
  int x, y, c = rgb->channels;

  g_return_if_fail (c >= 3 && luma->channels == 1);
  g_return_if_fail (luma->width == rgb->width && luma->height == rgb->height);
  for (y = 0; y < rgb->height; y++) {
    const uint8_t *in = fb_image_row (rgb, y);
    uint8_t *out = fb_image_row (luma, y);
    for (x = 0; x < rgb->width; x++, in += c)
      out[x] = (uint8_t) ((77 * in[0] + 150 * in[1] + 29 * in[2] + 128) >> 8);
  }
}
