/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-image.h"

#include <math.h>
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

/* Weights are in 1/2^14 and sum to exactly that per output pixel. */
#define RESIZE_WEIGHT_BITS 14
#define RESIZE_ONE (1 << RESIZE_WEIGHT_BITS)

/* For each of n_out pixels along an axis, the n_taps source pixels it takes (clamped
 * into the source at its edges) and their weights. */
typedef struct {
  int n_taps;
  int *sources;                 /* [n_out][n_taps] */
  gint32 *weights;              /* [n_out][n_taps] */
} ResizeAxis;

static double
catmull_rom (double x)
{
  x = fabs (x);
  if (x < 1.0)
    return (1.5 * x - 2.5) * x * x + 1.0;
  if (x < 2.0)
    return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
  return 0.0;
}

static void
resize_axis_init (ResizeAxis * axis, int n_in, int n_out)
{
  const double scale = (double) n_out / n_in;
  /* a reduction widens the filter to cover every source pixel */
  const double support = 2.0 / MIN (scale, 1.0), stretch = MIN (scale, 1.0);
  double *raw;
  int o, k;

  axis->n_taps = (int) ceil (2.0 * support) + 1;
  axis->sources = g_new (int, (gsize) n_out * axis->n_taps);
  axis->weights = g_new (gint32, (gsize) n_out * axis->n_taps);
  raw = g_new (double, axis->n_taps);
  for (o = 0; o < n_out; o++) {
    const double centre = (o + 0.5) / scale - 0.5;
    const int first = (int) floor (centre - support) + 1;
    int *sources = axis->sources + (gsize) o * axis->n_taps;
    gint32 *w = axis->weights + (gsize) o * axis->n_taps;
    double sum = 0.0;
    gint32 total = 0;
    int largest = 0;

    for (k = 0; k < axis->n_taps; k++) {
      raw[k] = catmull_rom ((first + k - centre) * stretch);
      sum += raw[k];
      sources[k] = CLAMP (first + k, 0, n_in - 1);
    }
    /* rounded, then the rounding error goes to the largest weight: an exact sum keeps
     * flat areas flat */
    for (k = 0; k < axis->n_taps; k++) {
      w[k] = (gint32) lround (raw[k] / sum * RESIZE_ONE);
      total += w[k];
      if (w[k] > w[largest])
        largest = k;
    }
    w[largest] += RESIZE_ONE - total;
  }
  g_free (raw);
}

static void
resize_axis_clear (ResizeAxis * axis)
{
  g_free (axis->sources);
  g_free (axis->weights);
}

/* |sum| < 2^31: 255 times the weights' absolute sum, under 2 * RESIZE_ONE */
static inline uint8_t
resize_round (gint32 sum)
{
  const gint32 value = (sum + RESIZE_ONE / 2) >> RESIZE_WEIGHT_BITS;
  return (uint8_t) CLAMP (value, 0, 255);
}

FbImage *
fb_image_resize (const FbImage * image, int width, int height)
{
  const int c = image->channels;
  ResizeAxis across, down;
  FbImage *wide, *out;
  gint32 *sums;
  int x, y, k, ch;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  resize_axis_init (&across, image->width, width);
  resize_axis_init (&down, image->height, height);

  /* along rows first, into rows of the output's width */
  wide = fb_image_new (width, image->height, c);
  for (y = 0; y < image->height; y++) {
    const uint8_t *in = fb_image_row (image, y);
    uint8_t *row = fb_image_row (wide, y);
    for (x = 0; x < width; x++) {
      const int *sources = across.sources + (gsize) x * across.n_taps;
      const gint32 *w = across.weights + (gsize) x * across.n_taps;
      for (ch = 0; ch < c; ch++) {
        gint32 sum = 0;
        for (k = 0; k < across.n_taps; k++)
          sum += w[k] * in[sources[k] * c + ch];
        row[x * c + ch] = resize_round (sum);
      }
    }
  }
  /* then down the columns, a whole row at a time */
  out = fb_image_new (width, height, c);
  sums = g_new (gint32, (gsize) width * c);
  for (y = 0; y < height; y++) {
    const int *sources = down.sources + (gsize) y * down.n_taps;
    const gint32 *w = down.weights + (gsize) y * down.n_taps;
    uint8_t *row = fb_image_row (out, y);
    memset (sums, 0, sizeof (gint32) * width * c);
    for (k = 0; k < down.n_taps; k++) {
      const uint8_t *in = fb_image_row (wide, sources[k]);
      const gint32 weight = w[k];
      for (x = 0; x < width * c; x++)
        sums[x] += weight * in[x];
    }
    for (x = 0; x < width * c; x++)
      row[x] = resize_round (sums[x]);
  }
  g_free (sums);
  fb_image_free (wide);
  resize_axis_clear (&across);
  resize_axis_clear (&down);
  return out;
}
