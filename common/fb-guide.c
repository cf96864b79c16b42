/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-guide.h"

#include <math.h>
#include <string.h>

#define FB_BLUR_PASSES 3

/* Intermediate values are 8.8 fixed point so that three passes round only once. */
#define FIX_SHIFT 8

/* Keeps box sums of 8.8 values inside 31 bits; wider blurs are flat anyway. */
#define MAX_SIGMA 1000.0f

/* Box widths (odd) whose three passes together have the variance of a Gaussian of
 * sigma: n passes of widths wl and wl + 2 mixed so that the variances sum to sigma^2. */
static void
box_widths_for_sigma (float sigma, int widths[FB_BLUR_PASSES])
{
  const int n = FB_BLUR_PASSES;
  double ideal, m_ideal;
  int wl, m, i;

  sigma = MIN (sigma, MAX_SIGMA);
  ideal = sqrt (12.0 * sigma * sigma / n + 1.0);
  wl = (int) floor (ideal);

  if (wl % 2 == 0)
    wl--;
  m_ideal = (12.0 * sigma * sigma - n * wl * wl - 4.0 * n * wl - 3.0 * n)
      / (-4.0 * wl - 4.0);
  m = CLAMP ((int) lround (m_ideal), 0, n);
  for (i = 0; i < n; i++)
    widths[i] = i < m ? wl : wl + 2;
}

/* One vertical box pass of radius r over a (width * channels) x height plane,
 * row-major: a running sum of whole rows, edge rows repeated. */
static void
box_pass_vertical (const guint16 * src, guint16 * dst, int n, int height, int r,
    gint32 * sums)
{
  float inv = 1.0f / (2 * r + 1);
  int x, y, k;

  for (x = 0; x < n; x++)
    sums[x] = 0;
  for (k = -r; k <= r; k++) {
    const guint16 *row = src + (size_t) CLAMP (k, 0, height - 1) * n;
    for (x = 0; x < n; x++)
      sums[x] += row[x];
  }
  for (y = 0; y < height; y++) {
    const guint16 *add = src + (size_t) MIN (y + r + 1, height - 1) * n;
    const guint16 *sub = src + (size_t) MAX (y - r, 0) * n;
    guint16 *out = dst + (size_t) y * n;
    for (x = 0; x < n; x++) {
      out[x] = (guint16) (sums[x] * inv + 0.5f);
      sums[x] += add[x] - sub[x];
    }
  }
}

/* One horizontal box pass of radius r over an interleaved row of `width` pixels of
 * `channels`: the row is padded with copies of its edge pixels so that the running
 * sum needs no bounds checks. padded has room for (width + 2 r + 1) * channels.
 * Always inlined with a constant channel count, so that the channel loops unroll. */
static G_ALWAYS_INLINE inline void
box_pass_horizontal_n (guint16 * row, int width, const int channels, int r,
    guint16 * padded)
{
  float inv = 1.0f / (2 * r + 1);
  int n = width * channels, x, i, k;
  gint32 sums[4] = { 0, 0, 0, 0 };

  for (x = 0; x < r; x++)
    for (k = 0; k < channels; k++) {
      padded[x * channels + k] = row[k];
      padded[(r + width + x) * channels + k] = row[n - channels + k];
    }
  for (k = 0; k < channels; k++)
    padded[(2 * r + width) * channels + k] = row[n - channels + k];
  memcpy (padded + r * channels, row, n * sizeof (guint16));

  /* padded[j] is pixel (j / channels - r); output pixel x sums padded[x .. x + 2r] */
  for (i = 0; i <= 2 * r; i++)
    for (k = 0; k < channels; k++)
      sums[k] += padded[i * channels + k];
  for (i = 0; i < n; i += channels)
    for (k = 0; k < channels; k++) {
      row[i + k] = (guint16) (sums[k] * inv + 0.5f);
      sums[k] += padded[i + k + (2 * r + 1) * channels] - padded[i + k];
    }
}

static void
box_pass_horizontal (guint16 * row, int width, int channels, int r, guint16 * padded)
{
  switch (channels) {
    case 1:
      box_pass_horizontal_n (row, width, 1, r, padded);
      break;
    case 2:
      box_pass_horizontal_n (row, width, 2, r, padded);
      break;
    case 3:
      box_pass_horizontal_n (row, width, 3, r, padded);
      break;
    default:
      box_pass_horizontal_n (row, width, 4, r, padded);
      break;
  }
}

/* Blurs src into a freshly allocated plane of 8.8 fixed-point values. */
static guint16 *
blur_fixed (const FbImage * src, float sigma)
{
  int w = src->width, h = src->height, c = src->channels, n = w * c;
  int widths[FB_BLUR_PASSES], max_r, pass, x, y;
  guint16 *plane = g_new (guint16, (size_t) n * h);
  guint16 *tmp = g_new (guint16, (size_t) n * h);
  gint32 *sums = g_new (gint32, n);
  guint16 *padded;

  g_assert (c >= 1 && c <= 4);
  box_widths_for_sigma (sigma, widths);
  max_r = widths[FB_BLUR_PASSES - 1] / 2;
  padded = g_new (guint16, (size_t) (w + 2 * max_r + 1) * c);

  for (y = 0; y < h; y++) {
    const uint8_t *in = fb_image_row (src, y);
    guint16 *out = plane + (size_t) y * n;
    for (x = 0; x < n; x++)
      out[x] = (guint16) (in[x] << FIX_SHIFT);
  }
  for (pass = 0; pass < FB_BLUR_PASSES; pass++) {
    guint16 *swap;
    box_pass_vertical (plane, tmp, n, h, widths[pass] / 2, sums);
    swap = plane;
    plane = tmp;
    tmp = swap;
  }
  for (y = 0; y < h; y++)
    for (pass = 0; pass < FB_BLUR_PASSES; pass++)
      box_pass_horizontal (plane + (size_t) y * n, w, c, widths[pass] / 2, padded);

  g_free (padded);
  g_free (sums);
  g_free (tmp);
  return plane;
}

void
fb_blur (const FbImage * src, FbImage ** dst, float sigma)
{
  int w = src->width, h = src->height, c = src->channels, n = w * c, x, y;
  guint16 *plane;

  if (sigma <= 0.5f) {
    if (*dst == src)
      return;
    fb_image_ensure (dst, w, h, c);
    for (y = 0; y < h; y++)
      memcpy (fb_image_row (*dst, y), fb_image_row (src, y), n);
    return;
  }
  /* src is fully read before dst is touched, so src == *dst works */
  plane = blur_fixed (src, sigma);
  fb_image_ensure (dst, w, h, c);
  for (y = 0; y < h; y++) {
    const guint16 *in = plane + (size_t) y * n;
    uint8_t *out = fb_image_row (*dst, y);
    for (x = 0; x < n; x++)
      out[x] = (uint8_t) ((in[x] + (1 << (FIX_SHIFT - 1))) >> FIX_SHIFT);
  }
  g_free (plane);
}

void
fb_appearance_guide (const FbImage * luma, float sigma, FbImage ** guide)
{
  int w = luma->width, h = luma->height, x, y;
  guint16 *blurred;

  g_return_if_fail (luma->channels == 1);
  if (sigma <= 0.5f) {
    fb_image_ensure (guide, w, h, 1);
    for (y = 0; y < h; y++)
      memset (fb_image_row (*guide, y), 128, w);
    return;
  }
  blurred = blur_fixed (luma, sigma);
  fb_image_ensure (guide, w, h, 1);
  for (y = 0; y < h; y++) {
    const uint8_t *in = fb_image_row (luma, y);
    const guint16 *blur = blurred + (size_t) y * w;
    uint8_t *out = fb_image_row (*guide, y);
    for (x = 0; x < w; x++) {
      /* (Y - blur) / 2 in 8.8 fixed point is a shift by 9; round half up */
      int d = ((int) in[x] << FIX_SHIFT) - (int) blur[x];
      int v = 128 + ((d + (1 << FIX_SHIFT)) >> (FIX_SHIFT + 1));
      out[x] = (uint8_t) CLAMP (v, 0, 255);
    }
  }
  g_free (blurred);
}

static void
count_values (const FbImage * image, const FbImage * mask, guint64 counts[256])
{
  int x, y;

  g_return_if_fail (image->channels == 1);
  g_return_if_fail (!mask || (mask->width == image->width
          && mask->height == image->height && mask->channels == 1));
  memset (counts, 0, 256 * sizeof (guint64));
  for (y = 0; y < image->height; y++) {
    const uint8_t *row = fb_image_row (image, y);
    if (!mask) {
      for (x = 0; x < image->width; x++)
        counts[row[x]]++;
    } else {
      const uint8_t *m = fb_image_row (mask, y);
      for (x = 0; x < image->width; x++)
        counts[row[x]] += m[x] > 127;
    }
  }
}

static void
apply_lut (FbImage * image, const uint8_t lut[256])
{
  int x, y;

  for (y = 0; y < image->height; y++) {
    uint8_t *row = fb_image_row (image, y);
    for (x = 0; x < image->width; x++)
      row[x] = lut[row[x]];
  }
}

void
fb_guide_stretch_contrast (FbImage * guide, const FbImage * mask)
{
  guint64 counts[256], deviation[129] = { 0 }, total = 0, seen = 0, target;
  uint8_t lut[256];
  int v, d99 = 0;
  float gain;

  count_values (guide, mask, counts);
  for (v = 0; v < 256; v++) {
    deviation[MIN (ABS (v - 128), 128)] += counts[v];
    total += counts[v];
  }
  if (total == 0)
    return;
  target = (guint64) ceil (total * 0.99);
  for (d99 = 0; d99 < 128; d99++) {
    seen += deviation[d99];
    if (seen >= target)
      break;
  }
  if (d99 == 0)
    return;
  gain = 100.0f / d99;
  for (v = 0; v < 256; v++) {
    int s = (int) lroundf (128 + (v - 128) * gain);
    lut[v] = (uint8_t) CLAMP (s, 0, 255);
  }
  apply_lut (guide, lut);
}

void
fb_histogram_from_counts (const guint64 counts[256], FbHistogram * out)
{
  guint64 total = 0, running = 0;
  int v;

  for (v = 0; v < 256; v++)
    total += counts[v];
  for (v = 0; v < 256; v++) {
    running += counts[v];
    out->cdf[v] = total ? (float) ((double) running / total) : 0.0f;
  }
  if (total)
    out->cdf[255] = 1.0f;
}

void
fb_histogram_compute (const FbImage * image, const FbImage * mask, FbHistogram * out)
{
  guint64 counts[256];

  count_values (image, mask, counts);
  fb_histogram_from_counts (counts, out);
}

void
fb_histogram_match (FbImage * image, const FbImage * mask, const FbHistogram * reference)
{
  FbHistogram source;

  if (reference->cdf[255] <= 0.0f)
    return;
  fb_histogram_compute (image, mask, &source);
  fb_histogram_match_to (image, &source, reference);
}

void
fb_histogram_match_to (FbImage * image, const FbHistogram * source,
    const FbHistogram * reference)
{
  /* byte stores may alias anything: a local copy keeps the loop simple for GCC */
  const FbHistogram from = *source;
  uint8_t lut[256];
  int v, w = 0;

  if (reference->cdf[255] <= 0.0f || from.cdf[255] <= 0.0f)
    return;
  /* Each source value goes to the reference value at the middle of its quantile range,
   * which keeps the lookup table monotonic and unbiased for sparse histograms. */
  for (v = 0; v < 256; v++) {
    float below = v > 0 ? from.cdf[v - 1] : 0.0f;
    float mid = 0.5f * (below + from.cdf[v]);
    while (w < 255 && reference->cdf[w] < mid)
      w++;
    lut[v] = (uint8_t) w;
  }
  apply_lut (image, lut);
}
