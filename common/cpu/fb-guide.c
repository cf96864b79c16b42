/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-guide.h"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fb-guide-pixel.h"
#include "fb-vectorised.h"

/* Keeps box sums of 8.8 values inside 31 bits; wider blurs are flat anyway. */
#define MAX_SIGMA 1000.0f

/* The radii of box widths (odd) whose three passes together have the variance of a
 * Gaussian of sigma: n passes of widths wl and wl + 2 mixed so that the variances sum
 * to sigma^2. */
gboolean
fb_blur_radii (float sigma, int radii[FB_BLUR_PASSES])
{
  const int n = FB_BLUR_PASSES;
  double ideal, m_ideal;
  int wl, m, i;

  if (sigma <= 0.5f)
    return FALSE;
  sigma = MIN (sigma, MAX_SIGMA);
  ideal = sqrt (12.0 * sigma * sigma / n + 1.0);
  wl = (int) floor (ideal);

  if (wl % 2 == 0)
    wl--;
  m_ideal = (12.0 * sigma * sigma - n * wl * wl - 4.0 * n * wl - 3.0 * n)
      / (-4.0 * wl - 4.0);
  m = CLAMP ((int) lround (m_ideal), 0, n);
  for (i = 0; i < n; i++)
    radii[i] = (i < m ? wl : wl + 2) / 2;
  return TRUE;
}

/* One output row of a vertical box pass, and the running sums moved on by one row. */
static inline void
box_row (const guint16 * restrict add, const guint16 * restrict sub,
    guint16 * restrict out, gint32 * restrict sums, int n, float inv)
{
  int x;

  for (x = 0; x < n; x++) {
    out[x] = fb_box_mean (sums[x], inv);
    sums[x] += add[x] - sub[x];
  }
}

/* One box pass of radius r down the columns of a row-major plane of `height` rows of
 * n values: a running sum of whole rows, edge rows repeated. Every column is
 * independent, so the loops vectorise across the row. */
FB_VECTORISED static void
box_pass_vertical (const guint16 * src, guint16 * dst, int n, int height, int r,
    gint32 * sums)
{
  float inv = fb_box_inverse (r);
  int x, y, k;

  for (x = 0; x < n; x++)
    sums[x] = 0;
  for (k = -r; k <= r; k++) {
    const guint16 *row = src + (size_t) CLAMP (k, 0, height - 1) * n;
    for (x = 0; x < n; x++)
      sums[x] += row[x];
  }
  for (y = 0; y < height; y++)
    box_row (src + (size_t) MIN (y + r + 1, height - 1) * n,
        src + (size_t) MAX (y - r, 0) * n, dst + (size_t) y * n, sums, n, inv);
}

/* Side of the square tiles of the transposition: two tiles fit in L1. */
#define TRANSPOSE_TILE 32

#ifdef __SSE2__
/* An 8 x 8 block of 16-bit values transposed in registers. */
static inline void
transpose_8x8 (const guint16 * src, size_t src_stride, guint16 * dst, size_t dst_stride)
{
  __m128i a[8], b[8], c[8];
  int i;

  for (i = 0; i < 8; i++)
    a[i] = _mm_loadu_si128 ((const __m128i *) (src + i * src_stride));
  for (i = 0; i < 4; i++) {
    b[2 * i] = _mm_unpacklo_epi16 (a[2 * i], a[2 * i + 1]);
    b[2 * i + 1] = _mm_unpackhi_epi16 (a[2 * i], a[2 * i + 1]);
  }
  for (i = 0; i < 2; i++) {
    c[4 * i] = _mm_unpacklo_epi32 (b[4 * i], b[4 * i + 2]);
    c[4 * i + 1] = _mm_unpackhi_epi32 (b[4 * i], b[4 * i + 2]);
    c[4 * i + 2] = _mm_unpacklo_epi32 (b[4 * i + 1], b[4 * i + 3]);
    c[4 * i + 3] = _mm_unpackhi_epi32 (b[4 * i + 1], b[4 * i + 3]);
  }
  for (i = 0; i < 4; i++) {
    _mm_storeu_si128 ((__m128i *) (dst + 2 * i * dst_stride),
        _mm_unpacklo_epi64 (c[i], c[i + 4]));
    _mm_storeu_si128 ((__m128i *) (dst + (2 * i + 1) * dst_stride),
        _mm_unpackhi_epi64 (c[i], c[i + 4]));
  }
}
#endif

/* dst = src with rows and columns swapped: src has `height` rows of `width` pixels of
 * `channels` values, dst `width` rows of `height` pixels. Always inlined with a
 * constant channel count, so that the channel loop unrolls. */
static G_ALWAYS_INLINE inline void
transpose_pixels_n (const guint16 * restrict src, guint16 * restrict dst, int width,
    int height, const int channels)
{
  int x0, y0, x, y, k;

  for (y0 = 0; y0 < height; y0 += TRANSPOSE_TILE)
    for (x0 = 0; x0 < width; x0 += TRANSPOSE_TILE) {
      int x1 = MIN (x0 + TRANSPOSE_TILE, width), y1 = MIN (y0 + TRANSPOSE_TILE, height);
#ifdef __SSE2__
      if (channels == 1 && x1 - x0 == TRANSPOSE_TILE && y1 - y0 == TRANSPOSE_TILE) {
        for (x = x0; x < x1; x += 8)
          for (y = y0; y < y1; y += 8)
            transpose_8x8 (src + (size_t) y * width + x, width,
                dst + (size_t) x * height + y, height);
        continue;
      }
#endif
      for (x = x0; x < x1; x++)
        for (y = y0; y < y1; y++)
          for (k = 0; k < channels; k++)
            dst[((size_t) x * height + y) * channels + k] =
                src[((size_t) y * width + x) * channels + k];
    }
}

static void
transpose_pixels (const guint16 * src, guint16 * dst, int width, int height,
    int channels)
{
  switch (channels) {
    case 1:
      transpose_pixels_n (src, dst, width, height, 1);
      break;
    case 2:
      transpose_pixels_n (src, dst, width, height, 2);
      break;
    case 3:
      transpose_pixels_n (src, dst, width, height, 3);
      break;
    default:
      transpose_pixels_n (src, dst, width, height, 4);
      break;
  }
}

/* Working memory of blur_fixed. Up to this many values per plane (a face region, or a
 * whole frame's background at the synthesis resolution), it is kept per thread: every
 * frame's guides need it, and blocks this large would be fresh pages to fault in each
 * time. Larger ones (an exemplar, once) are freed after use. */
#define BLUR_SCRATCH_KEPT (1 << 20)

typedef struct {
  guint16 *planes[2];
  gint32 *sums;
  size_t plane_size;
  size_t sums_size;
} BlurScratch;

static void
blur_scratch_free (gpointer data)
{
  BlurScratch *scratch = data;

  g_free (scratch->planes[0]);
  g_free (scratch->planes[1]);
  g_free (scratch->sums);
  g_free (scratch);
}

static GPrivate blur_scratch_key = G_PRIVATE_INIT (blur_scratch_free);

static BlurScratch *
blur_scratch_acquire (size_t plane_size, size_t sums_size)
{
  BlurScratch *scratch = NULL;

  if (plane_size <= BLUR_SCRATCH_KEPT) {
    scratch = g_private_get (&blur_scratch_key);
    if (!scratch) {
      scratch = g_new0 (BlurScratch, 1);
      g_private_set (&blur_scratch_key, scratch);
    }
  } else {
    scratch = g_new0 (BlurScratch, 1);
  }
  if (plane_size > scratch->plane_size) {
    g_free (scratch->planes[0]);
    g_free (scratch->planes[1]);
    scratch->planes[0] = g_new (guint16, plane_size);
    scratch->planes[1] = g_new (guint16, plane_size);
    scratch->plane_size = plane_size;
  }
  if (sums_size > scratch->sums_size) {
    g_free (scratch->sums);
    scratch->sums = g_new (gint32, sums_size);
    scratch->sums_size = sums_size;
  }
  return scratch;
}

static void
blur_scratch_release (BlurScratch * scratch)
{
  if (scratch->plane_size > BLUR_SCRATCH_KEPT)
    blur_scratch_free (scratch);
}

/* Blurs src with the box radii of fb_blur_radii into 8.8 fixed-point values in one of
 * scratch's planes, which it returns. The horizontal passes run as vertical ones on the
 * transposed plane: a running sum along a row is one long dependency chain, while down
 * the columns every column's sum advances at once. */
static const guint16 *
blur_fixed (const FbImage * src, const int radii[FB_BLUR_PASSES], BlurScratch * scratch)
{
  int w = src->width, h = src->height, c = src->channels, n = w * c, pass, x, y;
  guint16 *plane = scratch->planes[0], *tmp = scratch->planes[1], *swap;

  g_assert (c >= 1 && c <= 4);
  for (y = 0; y < h; y++) {
    const uint8_t *in = fb_image_row (src, y);
    guint16 *out = plane + (size_t) y * n;
    for (x = 0; x < n; x++)
      out[x] = fb_blur_fixed_from_byte (in[x]);
  }
  for (pass = 0; pass < FB_BLUR_PASSES; pass++) {
    box_pass_vertical (plane, tmp, n, h, radii[pass], scratch->sums);
    swap = plane;
    plane = tmp;
    tmp = swap;
  }
  transpose_pixels (plane, tmp, w, h, c);
  for (pass = 0; pass < FB_BLUR_PASSES; pass++) {
    box_pass_vertical (tmp, plane, h * c, w, radii[pass], scratch->sums);
    swap = plane;
    plane = tmp;
    tmp = swap;
  }
  transpose_pixels (tmp, plane, h, w, c);
  return plane;
}

/* Working memory for blurring src. */
static BlurScratch *
blur_scratch_for (const FbImage * src)
{
  size_t row = (size_t) src->width * src->channels;
  size_t column = (size_t) src->height * src->channels;

  return blur_scratch_acquire (row * src->height, MAX (row, column));
}

void
fb_blur (const FbImage * src, FbImage ** dst, float sigma)
{
  int w = src->width, h = src->height, c = src->channels, n = w * c, x, y;
  int radii[FB_BLUR_PASSES];
  BlurScratch *scratch;
  const guint16 *plane;

  if (!fb_blur_radii (sigma, radii)) {
    if (*dst == src)
      return;
    fb_image_ensure (dst, w, h, c);
    for (y = 0; y < h; y++)
      memcpy (fb_image_row (*dst, y), fb_image_row (src, y), n);
    return;
  }
  /* src is fully read before dst is touched, so src == *dst works */
  scratch = blur_scratch_for (src);
  plane = blur_fixed (src, radii, scratch);
  fb_image_ensure (dst, w, h, c);
  for (y = 0; y < h; y++) {
    const guint16 *in = plane + (size_t) y * n;
    uint8_t *out = fb_image_row (*dst, y);
    for (x = 0; x < n; x++)
      out[x] = fb_blur_byte_from_fixed (in[x]);
  }
  blur_scratch_release (scratch);
}

void
fb_blur_fixed (const FbImage * src, float sigma, uint16_t * dst)
{
  int n = src->width * src->channels, radii[FB_BLUR_PASSES], x, y;
  BlurScratch *scratch;

  if (!fb_blur_radii (sigma, radii)) {
    for (y = 0; y < src->height; y++) {
      const uint8_t *in = fb_image_row (src, y);
      for (x = 0; x < n; x++)
        dst[(size_t) y * n + x] = fb_blur_fixed_from_byte (in[x]);
    }
    return;
  }
  scratch = blur_scratch_for (src);
  memcpy (dst, blur_fixed (src, radii, scratch), (size_t) n * src->height * sizeof (uint16_t));
  blur_scratch_release (scratch);
}

/* One row of the appearance guide from the luma and its blur in 8.8 fixed point. */
FB_VECTORISED static void
appearance_guide_row (const uint8_t * restrict luma, const guint16 * restrict blur,
    uint8_t * restrict out, int width)
{
  int x;

  for (x = 0; x < width; x++)
    out[x] = fb_appearance_pixel (luma[x], blur[x]);
}

void
fb_appearance_guide (const FbImage * luma, float sigma, FbImage ** guide)
{
  int w = luma->width, h = luma->height, radii[FB_BLUR_PASSES], y;
  BlurScratch *scratch;
  const guint16 *blurred;

  g_return_if_fail (luma->channels == 1);
  if (!fb_blur_radii (sigma, radii)) {
    fb_image_ensure (guide, w, h, 1);
    for (y = 0; y < h; y++)
      memset (fb_image_row (*guide, y), 128, w);
    return;
  }
  scratch = blur_scratch_for (luma);
  blurred = blur_fixed (luma, radii, scratch);
  fb_image_ensure (guide, w, h, 1);
  for (y = 0; y < h; y++)
    appearance_guide_row (fb_image_row (luma, y), blurred + (size_t) y * w,
        fb_image_row (*guide, y), w);
  blur_scratch_release (scratch);
}

int
fb_thin_dark_radius (float face_width)
{
  return (int) (FB_THIN_DARK_RADIUS_FRACTION * face_width + 0.5f);
}

/* A closing's pass of radius r along every row of src into dst. Away from the ends
 * of a row the window needs no clamping: one sweep of the row per offset, which
 * vectorises. Always inlined with a constant `larger`. */
static G_ALWAYS_INLINE inline void
closing_rows (const FbImage * src, FbImage * dst, int r, const int larger)
{
  int w = src->width, x, y, k;

  for (y = 0; y < src->height; y++) {
    const uint8_t *restrict in = fb_image_row (src, y);
    uint8_t *restrict out = fb_image_row (dst, y);

    for (x = 0; x < MIN (r, w); x++)
      out[x] = fb_closing_pass_value (in, 1, w, x, r, larger);
    for (x = MAX (w - r, r); x < w; x++)
      out[x] = fb_closing_pass_value (in, 1, w, x, r, larger);
    for (x = r; x < w - r; x++)
      out[x] = in[x - r];
    for (k = -r + 1; k <= r; k++)
      for (x = r; x < w - r; x++)
        out[x] = fb_closing_pick (out[x], in[x + k], larger);
  }
}

/* A closing's pass of radius r down the columns of src into dst: whole rows at a
 * time, edge rows repeated. */
static G_ALWAYS_INLINE inline void
closing_columns (const FbImage * src, FbImage * dst, int r, const int larger)
{
  int w = src->width, h = src->height, x, y, k;

  for (y = 0; y < h; y++) {
    uint8_t *restrict out = fb_image_row (dst, y);

    memcpy (out, fb_image_row (src, CLAMP (y - r, 0, h - 1)), w);
    for (k = y - r + 1; k <= y + r; k++) {
      const uint8_t *restrict in = fb_image_row (src, CLAMP (k, 0, h - 1));
      for (x = 0; x < w; x++)
        out[x] = fb_closing_pick (out[x], in[x], larger);
    }
  }
}

FB_VECTORISED static void
dilate_rows (const FbImage * src, FbImage * dst, int r)
{
  closing_rows (src, dst, r, TRUE);
}

FB_VECTORISED static void
dilate_columns (const FbImage * src, FbImage * dst, int r)
{
  closing_columns (src, dst, r, TRUE);
}

FB_VECTORISED static void
erode_rows (const FbImage * src, FbImage * dst, int r)
{
  closing_rows (src, dst, r, FALSE);
}

/* The last pass, and the cap of each pixel of luma by the closing. */
FB_VECTORISED static void
erode_columns_and_cap (const FbImage * src, const FbImage * luma, FbImage * dst, int r)
{
  int x, y;

  closing_columns (src, dst, r, FALSE);
  for (y = 0; y < dst->height; y++) {
    const uint8_t *restrict in = fb_image_row (luma, y);
    uint8_t *restrict out = fb_image_row (dst, y);
    for (x = 0; x < dst->width; x++)
      out[x] = fb_thin_dark_cap (in[x], out[x]);
  }
}

void
fb_cap_thin_dark (const FbImage * luma, int radius, FbImage ** scratch, FbImage ** out)
{
  int w = luma->width, h = luma->height;

  g_return_if_fail (luma->channels == 1 && radius >= 1);
  fb_image_ensure (scratch, w, h, 1);
  fb_image_ensure (out, w, h, 1);
  g_return_if_fail (*out != luma);
  dilate_rows (luma, *scratch, radius);
  dilate_columns (*scratch, *out, radius);
  erode_rows (*out, *scratch, radius);
  erode_columns_and_cap (*scratch, luma, *out, radius);
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

gboolean
fb_histogram_match_lut (const FbHistogram * source, const FbHistogram * reference,
    uint8_t lut[256])
{
  /* byte stores may alias anything: local copies keep the loop simple for GCC */
  const FbHistogram from = *source;
  uint8_t table[256];
  int v, w = 0;

  if (reference->cdf[255] <= 0.0f || from.cdf[255] <= 0.0f)
    return FALSE;
  /* Each source value goes to the reference value at the middle of its quantile range,
   * which keeps the lookup table monotonic and unbiased for sparse histograms. */
  for (v = 0; v < 256; v++) {
    float below = v > 0 ? from.cdf[v - 1] : 0.0f;
    float mid = 0.5f * (below + from.cdf[v]);
    while (w < 255 && reference->cdf[w] < mid)
      w++;
    table[v] = (uint8_t) w;
  }
  memcpy (lut, table, sizeof (table));
  return TRUE;
}

void
fb_histogram_match_to (FbImage * image, const FbHistogram * source,
    const FbHistogram * reference)
{
  uint8_t lut[256];

  if (fb_histogram_match_lut (source, reference, lut))
    apply_lut (image, lut);
}
