/* Blur, appearance guide, thin dark details' cap, contrast stretch, histogram matching and the head mask.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fb-guide.h"
#include "fb-face-guides-pixel.h"
#include "fb-guide-pixel.h"
#include "fb-mask.h"
#include "fb-test-helpers.h"

static FbImage *
constant_image (int w, int h, int channels, const uint8_t * values)
{
  FbImage *img = fb_image_new (w, h, channels);
  int x, y, k;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      for (k = 0; k < channels; k++)
        fb_image_row (img, y)[x * channels + k] = values[k];
  return img;
}

static void
test_blur_constant (void)
{
  const uint8_t values[3] = { 77, 0, 255 };
  const float sigmas[] = { 0.3f, 0.6f, 2.0f, 7.5f, 40.0f };
  int channels, s, x, y, k;

  for (channels = 1; channels <= 3; channels += 2)
    for (s = 0; s < (int) G_N_ELEMENTS (sigmas); s++) {
      g_autoptr (FbImage) img = constant_image (23, 17, channels, values);
      FbImage *out = NULL;
      fb_blur (img, &out, sigmas[s]);
      g_assert_cmpint (out->width, ==, 23);
      g_assert_cmpint (out->height, ==, 17);
      g_assert_cmpint (out->channels, ==, channels);
      for (y = 0; y < out->height; y++)
        for (x = 0; x < out->width; x++)
          for (k = 0; k < channels; k++)
            g_assert_cmpint (fb_image_row (out, y)[x * channels + k], ==, values[k]);
      /* in place */
      fb_blur (img, &img, sigmas[s]);
      g_assert_cmpmem (img->data, img->stride * img->height, out->data,
          out->stride * out->height);
      fb_image_free (out);
    }
}

/* A point spreads into a symmetric bump: exact mirror symmetry in x and y (the box
 * passes are symmetric), nearly symmetric under transposition, highest in the middle. */
static void
test_blur_impulse_symmetric (void)
{
  const int n = 61, c = n / 2;
  g_autoptr (FbImage) img = fb_image_new (n, n, 1);
  FbImage *out = NULL;
  int x, y;

  fb_image_row (img, c)[c] = 255;
  fb_blur (img, &out, 1.5f);
  for (y = 0; y < n; y++)
    for (x = 0; x < n; x++) {
      int v = fb_image_row (out, y)[x];
      g_assert_cmpint (v, ==, fb_image_row (out, y)[n - 1 - x]);
      g_assert_cmpint (v, ==, fb_image_row (out, n - 1 - y)[x]);
      g_assert_cmpint (ABS (v - fb_image_row (out, x)[y]), <=, 1);
      g_assert_cmpint (v, <=, fb_image_row (out, c)[c]);
    }
  g_assert_cmpint (fb_image_row (out, c)[c], >, 10);
  g_assert_cmpint (fb_image_row (out, c)[c + 8], ==, 0);
  fb_image_free (out);
}

/* Position where a profile rising from 0 to 255 crosses `level`, interpolated. */
static double
crossing (const double *profile, int n, double level)
{
  int i;

  for (i = 1; i < n; i++)
    if (profile[i - 1] < level && profile[i] >= level)
      return i - 1 + (level - profile[i - 1]) / (profile[i] - profile[i - 1]);
  g_assert_not_reached ();
  return 0;
}

/* A step edge blurred by a Gaussian rises from 15.9 % to 84.1 % over 2 sigma, in both
 * directions and in every channel. */
static void
test_blur_spread (void)
{
  const float sigmas[] = { 2.0f, 4.0f, 9.0f };
  const int n = 160;
  int s, dir, k, i;

  for (s = 0; s < (int) G_N_ELEMENTS (sigmas); s++)
    for (dir = 0; dir < 2; dir++) {
      int w = dir == 0 ? n : 9, h = dir == 0 ? 9 : n;
      g_autoptr (FbImage) img = fb_image_new (w, h, 3);
      FbImage *out = NULL;
      double profile[160];
      int x, y;

      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
          if ((dir == 0 ? x : y) >= n / 2)
            memset (fb_image_row (img, y) + 3 * x, 255, 3);
      fb_blur (img, &out, sigmas[s]);
      for (k = 0; k < 3; k++) {
        double spread;
        for (i = 0; i < n; i++)
          profile[i] = dir == 0 ? fb_image_row (out, 4)[3 * i + k]
              : fb_image_row (out, i)[3 * 4 + k];
        spread = crossing (profile, n, 255 * 0.8413) - crossing (profile, n, 255 * 0.1587);
        g_assert_cmpfloat (fabs (spread / 2 - sigmas[s]), <, 0.1 * sigmas[s] + 0.15);
        /* the edge stays where it was: the profile is antisymmetric about it */
        g_assert_cmpfloat (fabs (crossing (profile, n, 127.5) - (n / 2 - 0.5)), <, 0.3);
      }
      fb_image_free (out);
    }
}

/* The blur as documented, the slow and obvious way: box widths whose three passes have
 * the variance of the Gaussian, three passes down the columns then three along the rows,
 * each a direct sum over its window (edges repeated) rounded to 8.8 fixed point. */
static void
reference_blur_fixed (const FbImage * src, float sigma, guint16 * out)
{
  int w = src->width, h = src->height, c = src->channels, n = w * c;
  int widths[3], pass, dir, i, j, k, x, y, m;
  double ideal = sqrt (12.0 * sigma * sigma / 3 + 1.0), m_ideal;
  guint16 *line = g_new (guint16, MAX (w, h));
  int wl = (int) floor (ideal);

  if (wl % 2 == 0)
    wl--;
  m_ideal = (12.0 * sigma * sigma - 3 * wl * wl - 4.0 * 3 * wl - 3.0 * 3)
      / (-4.0 * wl - 4.0);
  m = CLAMP ((int) lround (m_ideal), 0, 3);
  for (i = 0; i < 3; i++)
    widths[i] = i < m ? wl : wl + 2;

  for (y = 0; y < h; y++)
    for (x = 0; x < n; x++)
      out[y * n + x] = (guint16) (fb_image_row (src, y)[x] << 8);
  for (dir = 0; dir < 2; dir++)
    for (pass = 0; pass < 3; pass++) {
      int r = widths[pass] / 2, length = dir == 0 ? h : w, lines = dir == 0 ? n : h * c;
      float inv = 1.0f / (2 * r + 1);
      for (j = 0; j < lines; j++) {
        /* line j: a column of one channel, or a row of one channel */
        guint16 *first = dir == 0 ? out + j : out + (j / c) * n + j % c;
        int step = dir == 0 ? n : c;
        for (i = 0; i < length; i++)
          line[i] = first[i * step];
        for (i = 0; i < length; i++) {
          gint32 sum = 0;
          for (k = -r; k <= r; k++)
            sum += line[CLAMP (i + k, 0, length - 1)];
          first[i * step] = (guint16) (sum * inv + 0.5f);
        }
      }
    }
  g_free (line);
}

/* The CUDA kernels' blur of a 1-channel image: fb_box_pass_value for every value of
 * every pass, from one plane into the other, in fb_blur's order. */
static void
kernels_blur_fixed (const FbImage * src, float sigma, guint16 * out)
{
  int w = src->width, h = src->height, radii[FB_BLUR_PASSES], pass, x, y;
  g_autofree guint16 *tmp = g_new (guint16, (size_t) w * h);
  guint16 *planes[2] = { out, tmp };

  g_assert_true (fb_blur_radii (sigma, radii));
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      out[y * w + x] = fb_blur_fixed_from_byte (fb_image_row (src, y)[x]);
  for (pass = 0; pass < 2 * FB_BLUR_PASSES; pass++) {
    const guint16 *in = planes[pass % 2];
    guint16 *to = planes[(pass + 1) % 2];
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        to[y * w + x] = pass < FB_BLUR_PASSES
            ? fb_box_pass_value (in + x, w, h, y, radii[pass % FB_BLUR_PASSES])
            : fb_box_pass_value (in + (size_t) y * w, 1, w, x, radii[pass % FB_BLUR_PASSES]);
  }
}

/* fb_blur and fb_appearance_guide of img give exactly the reference's bytes, and so
 * does the kernels' blur. */
static void
check_blur_matches_reference (const FbImage * img, float sigma)
{
  int w = img->width, h = img->height, c = img->channels, x, y;
  g_autofree guint16 *expected = g_new (guint16, (size_t) w * h * c);
  FbImage *out = NULL;

  reference_blur_fixed (img, sigma, expected);
  fb_blur (img, &out, sigma);
  for (y = 0; y < h; y++)
    for (x = 0; x < w * c; x++)
      g_assert_cmpint (fb_image_row (out, y)[x], ==,
          (expected[(size_t) y * w * c + x] + 128) >> 8);
  if (c == 1) {
    g_autofree guint16 *kernels = g_new (guint16, (size_t) w * h);
    fb_appearance_guide (img, sigma, &out);
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++) {
        int d = (fb_image_row (img, y)[x] << 8) - expected[(size_t) y * w + x];
        int v = 128 + ((d + 256) >> 9);
        g_assert_cmpint (fb_image_row (out, y)[x], ==, CLAMP (v, 0, 255));
      }
    kernels_blur_fixed (img, sigma, kernels);
    g_assert_cmpmem (kernels, (gsize) w * h * sizeof (guint16), expected,
        (gsize) w * h * sizeof (guint16));
  }
  fb_image_free (out);
}

/* For sizes that fill the fast paths' blocks exactly, partly or not at all, every
 * channel count, sizes changing from call to call (the working memory is reused), and
 * an image too large for the kept working memory. */
static void
test_blur_reference (void)
{
  const int sizes[][2] = { {1, 1}, {2, 7}, {31, 5}, {64, 64}, {70, 97}, {257, 33},
  {9, 300}, {237, 289}
  };
  const float sigmas[] = { 0.7f, 2.46f, 6.0f, 40.0f };
  int si, s, c;

  for (si = 0; si < (int) G_N_ELEMENTS (sizes); si++)
    for (c = 1; c <= 4; c++)
      for (s = 0; s < (int) G_N_ELEMENTS (sigmas); s++) {
        g_autoptr (FbImage) img = fb_test_random_image (sizes[si][0], sizes[si][1], c,
            3.0f, si * 16 + c * 4 + s);
        check_blur_matches_reference (img, sigmas[s]);
      }
  {
    g_autoptr (FbImage) large = fb_test_random_image (1030, 1100, 1, 3.0f, 99);
    check_blur_matches_reference (large, 3.0f);
  }
}

typedef struct {
  const FbImage *image;
  float sigma;
  FbImage *out;
} BlurTask;

static gpointer
blur_thread (gpointer data)
{
  BlurTask *task = data;
  int i;

  /* repeated, so that the threads' blurs overlap in time */
  for (i = 0; i < 20; i++)
    fb_appearance_guide (task->image, task->sigma, &task->out);
  return NULL;
}

/* Threads blurring at the same time each get their own working memory. */
static void
test_blur_threads (void)
{
  BlurTask tasks[4];
  GThread *threads[4];
  int i;

  for (i = 0; i < 4; i++) {
    tasks[i].image = fb_test_random_image (120 + 13 * i, 90 + 7 * i, 1, 4.0f, 40 + i);
    tasks[i].sigma = 1.5f + i;
    tasks[i].out = NULL;
    threads[i] = g_thread_new ("blur", blur_thread, &tasks[i]);
  }
  for (i = 0; i < 4; i++) {
    FbImage *alone = NULL;
    g_thread_join (threads[i]);
    fb_appearance_guide (tasks[i].image, tasks[i].sigma, &alone);
    g_assert_cmpmem (tasks[i].out->data, tasks[i].out->stride * tasks[i].out->height,
        alone->data, alone->stride * alone->height);
    fb_image_free (alone);
    fb_image_free (tasks[i].out);
    fb_image_free ((FbImage *) tasks[i].image);
  }
}

static void
test_appearance_guide (void)
{
  const uint8_t grey = 93;
  g_autoptr (FbImage) flat = constant_image (40, 30, 1, &grey);
  g_autoptr (FbImage) step = fb_image_new (40, 30, 1);
  FbImage *guide = NULL;
  int x, y;

  fb_appearance_guide (flat, 4.0f, &guide);
  g_assert_cmpint (guide->width, ==, 40);
  g_assert_cmpint (guide->height, ==, 30);
  for (y = 0; y < 30; y++)
    for (x = 0; x < 40; x++)
      g_assert_cmpint (fb_image_row (guide, y)[x], ==, 128);

  /* a dark-to-bright edge: darker than its surroundings on one side, brighter on the
   * other, by half the local difference at most */
  for (y = 0; y < 30; y++)
    memset (fb_image_row (step, y) + 20, 200, 20);
  fb_appearance_guide (step, 3.0f, &guide);
  for (y = 0; y < 30; y++) {
    const uint8_t *g = fb_image_row (guide, y);
    g_assert_cmpint (g[19], <, 128 - 20);
    g_assert_cmpint (g[20], >, 128 + 20);
    g_assert_cmpint (g[19] + g[20], >=, 255);
    g_assert_cmpint (g[19] + g[20], <=, 257);
    g_assert_cmpint (g[0], ==, 128);
    g_assert_cmpint (g[39], ==, 128);
  }
  fb_image_free (guide);
}

/* The largest (larger) or smallest value of src in the square of radius r around
 * (x, y), coordinates clamped to the image: a closing's two passes at once. */
static uint8_t
square_extreme (const FbImage * src, int x, int y, int r, gboolean larger)
{
  uint8_t v = larger ? 0 : 255;
  int i, j;

  for (j = y - r; j <= y + r; j++)
    for (i = x - r; i <= x + r; i++) {
      uint8_t s = fb_image_row (src, CLAMP (j, 0, src->height - 1))[CLAMP (i, 0,
              src->width - 1)];
      v = larger ? MAX (v, s) : MIN (v, s);
    }
  return v;
}

static void
test_thin_dark_cap (void)
{
  const uint8_t skin = 200;
  g_autoptr (FbImage) luma = constant_image (64, 48, 1, &skin);
  FbImage *scratch = NULL, *capped = NULL;
  int x, y, size, r;

  /* a strand 2 px wide, a blob 10 px wide (an eye, a nostril), a faint crease 1 px
   * wide; the closing of radius 2 fills what is narrower than 5 px */
  for (y = 0; y < 48; y++)
    memset (fb_image_row (luma, y) + 20, 40, 2);
  for (y = 10; y < 20; y++)
    memset (fb_image_row (luma, y) + 40, 40, 10);
  memset (fb_image_row (luma, 35) + 30, 190, 34);
  fb_cap_thin_dark (luma, 2, &scratch, &capped);
  g_assert_cmpint (capped->width, ==, 64);
  g_assert_cmpint (capped->height, ==, 48);
  for (y = 0; y < 48; y++)
    for (x = 0; x < 64; x++) {
      uint8_t in = fb_image_row (luma, y)[x], out = fb_image_row (capped, y)[x];
      if (x == 20 || x == 21)
        g_assert_cmpint (out, ==, skin - FB_THIN_DARK_DEPTH);
      else
        g_assert_cmpint (out, ==, in);
    }

  /* any image and radius, narrower than the window too: the closing of the square
   * around each pixel, capped */
  for (size = 1; size < 24; size += 5)
    for (r = 1; r <= 4; r++) {
      g_autoptr (FbImage) noise = fb_image_new (size + 3, size, 1);
      g_autoptr (FbImage) dilated = fb_image_new (size + 3, size, 1);
      GRand *rand = g_rand_new_with_seed (size * 10 + r);

      for (y = 0; y < noise->height; y++)
        for (x = 0; x < noise->width; x++)
          fb_image_row (noise, y)[x] = (uint8_t) g_rand_int_range (rand, 0, 256);
      for (y = 0; y < noise->height; y++)
        for (x = 0; x < noise->width; x++)
          fb_image_row (dilated, y)[x] = square_extreme (noise, x, y, r, TRUE);
      fb_cap_thin_dark (noise, r, &scratch, &capped);
      for (y = 0; y < noise->height; y++)
        for (x = 0; x < noise->width; x++)
          g_assert_cmpint (fb_image_row (capped, y)[x], ==,
              fb_thin_dark_cap (fb_image_row (noise, y)[x], square_extreme (dilated, x, y,
                      r, FALSE)));
      g_rand_free (rand);
    }
  fb_image_free (scratch);
  fb_image_free (capped);
}

static void
test_stretch_contrast (void)
{
  g_autoptr (FbImage) guide = fb_test_random_image (64, 48, 1, 5.0f, 7);
  g_autoptr (FbImage) before = NULL;
  g_autoptr (FbImage) mask = fb_image_new (64, 48, 1);
  int x, y, counts[129] = { 0 }, total = 0, seen = 0, d;

  /* squeeze the values towards 128 so that the stretch has work to do */
  for (y = 0; y < 48; y++)
    for (x = 0; x < 64; x++) {
      uint8_t *g = fb_image_row (guide, y) + x;
      *g = (uint8_t) (128 + (*g - 128) / 4);
      fb_image_row (mask, y)[x] = x < 32 ? 255 : 0;
    }
  /* outside the mask the deviation is larger and must not count */
  for (y = 0; y < 48; y++)
    fb_image_row (guide, y)[63] = 0;
  before = fb_image_copy (guide);
  fb_guide_stretch_contrast (guide, mask);

  for (y = 0; y < 48; y++)
    for (x = 0; x < 32; x++) {
      counts[ABS (fb_image_row (guide, y)[x] - 128)]++;
      total++;
    }
  for (d = 0; d < 129; d++) {
    seen += counts[d];
    if (seen >= 0.99 * total)
      break;
  }
  g_assert_cmpint (d, >=, 97);
  g_assert_cmpint (d, <=, 103);
  /* monotonic and symmetric about 128 */
  for (y = 0; y < 48; y++)
    for (x = 0; x < 64; x++) {
      int b = fb_image_row (before, y)[x], a = fb_image_row (guide, y)[x];
      g_assert_cmpint ((a > 128) - (a < 128), ==, (b > 128) - (b < 128));
      if (x > 0) {
        int b0 = fb_image_row (before, y)[x - 1], a0 = fb_image_row (guide, y)[x - 1];
        if (b0 < b)
          g_assert_cmpint (a0, <=, a);
      }
    }
}

static void
test_histogram_match (void)
{
  g_autoptr (FbImage) image = fb_test_random_image (80, 60, 1, 6.0f, 3);
  g_autoptr (FbImage) other = fb_test_random_image (70, 50, 1, 4.0f, 9);
  g_autoptr (FbImage) mask = fb_image_new (80, 60, 1);
  FbHistogram reference, matched, before;
  float before_diff = 0, diff = 0;
  int x, y, v;

  /* a reference histogram of a different, skewed distribution */
  for (y = 0; y < other->height; y++)
    for (x = 0; x < other->width; x++) {
      uint8_t *p = fb_image_row (other, y) + x;
      *p = (uint8_t) (255 * pow (*p / 255.0, 2.2));
    }
  for (y = 10; y < 50; y++)
    memset (fb_image_row (mask, y) + 10, 255, 50);
  fb_histogram_compute (other, NULL, &reference);
  g_assert_cmpfloat (reference.cdf[255], ==, 1.0f);
  fb_histogram_compute (image, mask, &before);
  fb_histogram_match (image, mask, &reference);
  fb_histogram_compute (image, mask, &matched);
  for (v = 0; v < 256; v++) {
    before_diff = MAX (before_diff, fabsf (before.cdf[v] - reference.cdf[v]));
    diff = MAX (diff, fabsf (matched.cdf[v] - reference.cdf[v]));
    if (v > 0)
      g_assert_cmpfloat (matched.cdf[v], >=, matched.cdf[v - 1]);
  }
  g_assert_cmpfloat (before_diff, >, 0.2f);
  g_assert_cmpfloat (diff, <, 0.03f);

  /* an empty mask gives an all-zero histogram, and matching to it changes nothing */
  {
    g_autoptr (FbImage) empty = fb_image_new (80, 60, 1);
    g_autoptr (FbImage) copy = fb_image_copy (image);
    FbHistogram none;
    fb_histogram_compute (image, empty, &none);
    for (v = 0; v < 256; v++)
      g_assert_cmpfloat (none.cdf[v], ==, 0.0f);
    fb_histogram_match (copy, NULL, &none);
    g_assert_cmpmem (copy->data, 80 * 60, image->data, 80 * 60);
  }
}

static void
test_mask_outline (void)
{
  FbLandmarks lm;
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  float top = G_MAXFLOAT;
  int i;

  fb_test_synthetic_landmarks (&lm, 100, 110, 1);
  fb_face_outline (&lm, outline);
  for (i = 0; i <= 16; i++) {
    g_assert_cmpfloat (outline[i].x, ==, lm.points[i].x);
    g_assert_cmpfloat (outline[i].y, ==, lm.points[i].y);
  }
  for (i = 17; i < FB_FACE_OUTLINE_POINTS; i++) {
    /* the arc runs from jaw point 16 back to 0 over the forehead */
    g_assert_cmpfloat (outline[i].y, <, 110);
    if (i > 17)
      g_assert_cmpfloat (outline[i].x, <, outline[i - 1].x);
    top = MIN (top, outline[i].y);
  }
  /* brows at 90, brow-to-chin 90: the top lies about 0.45 * 90 above the brows */
  g_assert_cmpfloat (fabsf (top - (90 - 0.45f * 90)), <, 1.0f);
}

static void
test_mask_fill (void)
{
  g_autoptr (FbImage) mask = fb_image_new (200, 200, 1);
  g_autoptr (FbImage) shifted = fb_image_new (200, 200, 1);
  FbLandmarks lm;
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  double area = 0, sum = 0;
  int x, y, i, partial = 0;

  fb_test_synthetic_landmarks (&lm, 100, 110, 1);
  fb_face_mask_render (&lm, 0, 0, 0, mask);
  g_assert_cmpint (fb_image_row (mask, 110)[100], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 170)[100], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 60)[100], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 110)[45], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 40)[100], ==, 0);
  g_assert_cmpint (fb_image_row (mask, 185)[100], ==, 0);
  g_assert_cmpint (fb_image_row (mask, 5)[5], ==, 0);
  g_assert_cmpint (fb_image_row (mask, 195)[195], ==, 0);
  g_assert_cmpint (fb_image_row (mask, 110)[30], ==, 0);

  /* anti-aliased: the coverage adds up to the polygon's area, and the edge has
   * intermediate values */
  fb_face_outline (&lm, outline);
  for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
    FbPoint a = outline[i], b = outline[(i + 1) % FB_FACE_OUTLINE_POINTS];
    area += 0.5 * (a.x * b.y - b.x * a.y);
  }
  for (y = 0; y < 200; y++)
    for (x = 0; x < 200; x++) {
      int v = fb_image_row (mask, y)[x];
      sum += v / 255.0;
      partial += v > 0 && v < 255;
    }
  g_assert_cmpfloat (fabs (sum - fabs (area)), <, 0.002 * fabs (area) + 2);
  g_assert_cmpint (partial, >, 200);

  /* the origin moves the outline: a mask drawn from (-7, 5) is this one shifted */
  fb_face_mask_render (&lm, -7, 5, 0, shifted);
  for (y = 0; y < 190; y++)
    for (x = 10; x < 190; x++)
      g_assert_cmpint (ABS (fb_image_row (shifted, y)[x + 7]
              - fb_image_row (mask, y + 5)[x]), <=, 1);
}

/* A chin pushed up into the face: scanlines below it cross the outline four times,
 * and the filled area is still the polygon's. */
static void
test_mask_fill_notch (void)
{
  g_autoptr (FbImage) mask = fb_image_new (200, 200, 1);
  FbLandmarks lm;
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  double area = 0, sum = 0;
  int x, y, i;

  fb_test_synthetic_landmarks (&lm, 100, 110, 1);
  lm.points[8].y = 130;
  fb_face_mask_render (&lm, 0, 0, 0, mask);
  fb_face_outline (&lm, outline);
  for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
    FbPoint a = outline[i], b = outline[(i + 1) % FB_FACE_OUTLINE_POINTS];
    area += 0.5 * (a.x * b.y - b.x * a.y);
  }
  for (y = 0; y < 200; y++)
    for (x = 0; x < 200; x++)
      sum += fb_image_row (mask, y)[x] / 255.0;
  g_assert_cmpfloat (fabs (sum - fabs (area)), <, 0.002 * fabs (area) + 2);
  /* in the notch, below the chin: outside; beside it: inside */
  g_assert_cmpint (fb_image_row (mask, 165)[100], ==, 0);
  g_assert_cmpint (fb_image_row (mask, 165)[75], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 165)[125], ==, 255);
}

static void
test_mask_feather (void)
{
  g_autoptr (FbImage) mask = fb_image_new (200, 200, 1);
  g_autoptr (FbImage) hard = fb_image_new (200, 200, 1);
  FbLandmarks lm;
  const float sigma = 6.0f;
  int x, y, max_step = 0, bigger = 0, soft_inside = 0;

  fb_test_synthetic_landmarks (&lm, 100, 110, 1);
  fb_face_mask_render (&lm, 0, 0, sigma, mask);
  fb_face_mask_render (&lm, 0, 0, 0, hard);
  g_assert_cmpint (fb_image_row (mask, 110)[100], ==, 255);
  g_assert_cmpint (fb_image_row (mask, 5)[5], ==, 0);
  for (y = 0; y < 200; y++)
    for (x = 1; x < 200; x++)
      max_step = MAX (max_step, ABS (fb_image_row (mask, y)[x]
              - fb_image_row (mask, y)[x - 1]));
  /* the upper half of a blurred edge, stretched to the full range, rises by at most
   * about 2 x 255 / (sqrt (2 pi) sigma) per pixel */
  g_assert_cmpint (max_step, <=, (int) (2.6 * 255 / (sqrt (2 * G_PI) * sigma)));
  /* the feather lies inside the outline: nothing outside it, a soft band within */
  for (y = 0; y < 200; y++)
    for (x = 0; x < 200; x++) {
      if (fb_image_row (hard, y)[x] == 0)
        g_assert_cmpint (fb_image_row (mask, y)[x], ==, 0);
      soft_inside += fb_image_row (hard, y)[x] == 255 && fb_image_row (mask, y)[x] > 0
          && fb_image_row (mask, y)[x] < 255;
    }
  g_assert_cmpint (soft_inside, >, 0);
  /* from the centre outwards, the mask only decreases */
  for (x = 101; x < 200; x++) {
    g_assert_cmpint (fb_image_row (mask, 110)[x], <=, fb_image_row (mask, 110)[x - 1]);
    bigger += fb_image_row (mask, 110)[x] > 0 && fb_image_row (mask, 110)[x] < 255;
  }
  g_assert_cmpint (bigger, >, sigma);
}

/* A painted background's appearance guide: the exemplar's own guide where the
 * positional guide points, outside the face (coverage 0, rounded and clamped as
 * fb_blit_lookup's direct candidate), the target's inside (255), and a blend across
 * the feather; the coverage is sampled bilinearly at the guide's resolution. */
static void
test_background_appearance (void)
{
  const uint8_t style[2 * 3] = { 10, 20, 30, 40, 50, 60 };      /* 3 wide, 2 high */
  const float at_40[2] = { 0.4f, 0.6f }, beyond[2] = { 7.0f, -3.0f };
  const uint8_t coverage[2] = { 0, 255 };
  int x;

  g_assert_cmpint (fb_background_appearance (200, 0, at_40, style, 3, 3, 2), ==, 40);
  g_assert_cmpint (fb_background_appearance (200, 0, beyond, style, 3, 3, 2), ==, 30);
  g_assert_cmpint (fb_background_appearance (200, 255, at_40, style, 3, 3, 2), ==, 200);
  g_assert_cmpint (fb_background_appearance (200, 128, at_40, style, 3, 3, 2), ==,
      (128 * 200 + 127 * 40 + 127) / 255);
  /* a 2 x 1 coverage at a quarter of the resolution, for 8 guide pixels: 0 up to the
   * middle of the first block, 255 from the middle of the second, a ramp between */
  for (x = 0; x < 8; x++) {
    uint8_t c = fb_coverage_at (coverage, 2, 1, 2, 2, x * FB_PATCH_ONE, 0);
    if (x <= 1)
      g_assert_cmpint (c, ==, 0);
    else if (x >= 6)
      g_assert_cmpint (c, ==, 255);
    else
      g_assert_cmpint (c, >, fb_coverage_at (coverage, 2, 1, 2, 2, (x - 1) * FB_PATCH_ONE,
              0));
  }
}

/* Beyond the exemplar the positional guide is mirror-tiled from the background corner's
 * square: always inside the square, continuous across tiles, unchanged inside. */
static void
test_fold_into_style_corner (void)
{
  const int w = 100, h = 80;
  const float size = fb_style_corner_size (w, h);
  int corner, i;

  g_assert_cmpfloat (size, ==, 0.12f * 80);
  for (corner = 0; corner < 4; corner++) {
    float x0 = corner & FB_STYLE_CORNER_RIGHT ? w - 1 - size : 0;
    float y0 = corner & FB_STYLE_CORNER_BOTTOM ? h - 1 - size : 0;
    float inside[2] = { 37.5f, 61.25f }, previous[2] = { 0, 0 };

    fb_fold_into_style_corner (inside, w, h, size, corner);
    g_assert_cmpfloat (inside[0], ==, 37.5f);
    g_assert_cmpfloat (inside[1], ==, 61.25f);
    /* a walk from far above-left to far below-right, all of it beyond the exemplar's
     * left border */
    for (i = 0; i <= 4000; i++) {
      float xy[2] = { -1.0f - i * 0.01f, -200.0f + i * 0.1f };
      fb_fold_into_style_corner (xy, w, h, size, corner);
      g_assert_cmpfloat (xy[0], >=, x0 - 1e-3f);
      g_assert_cmpfloat (xy[0], <=, x0 + size + 1e-3f);
      g_assert_cmpfloat (xy[1], >=, y0 - 1e-3f);
      g_assert_cmpfloat (xy[1], <=, y0 + size + 1e-3f);
      if (i > 0) {
        g_assert_cmpfloat (fabsf (xy[0] - previous[0]), <=, 0.011f);
        g_assert_cmpfloat (fabsf (xy[1] - previous[1]), <=, 0.11f);
      }
      memcpy (previous, xy, sizeof xy);
    }
  }
}

/* The backdrop's tone gains, a channel each: 1 deep inside the exemplar; within the
 * band along its edge, easing over from 1 to the border tone over the tone there,
 * continuously; beyond the edge, the border tone over the tiled one, however far away.
 * The tile is cooler than the exemplar's own backdrop (less red, more blue): the
 * channels' gains differ. */
static void
test_backdrop_tone_gains (void)
{
  const int w = 100, h = 100, border_tone[3] = { 110, 110, 100 };
  const int corner[3] = { 100, 100, 80 }, rest[3] = { 120, 120, 140 };
  const float size = fb_style_corner_size (w, h), band = FB_BACKDROP_TONE_BAND * size;
  g_autoptr (FbImage) tone = fb_image_new (w, h, 3);
  float deep[2] = { 50, 50 }, edge[2] = { 0, 50 }, out[2] = { -0.01f, 50 };
  float far_left[2] = { -1e4f, 50 }, halfway[2] = { 50, h - 1 - band / 2 };
  const size_t plane = 7;       /* the channels' gains this far apart */
  uint16_t gains[3 * 7];
  int x, y, c, last = FB_LIGHTING_ONE * 2;

#define GAINS(at) fb_backdrop_tone_gains (at, w, h, size, 0, tone->data, tone->stride, \
      border_tone, gains, plane)
  /* the corner's square (and around it) darker, the rest lighter */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      for (c = 0; c < 3; c++)
        fb_image_row (tone, y)[3 * x + c] = x < 20 && y < 20 ? corner[c] : rest[c];
  GAINS (deep);
  for (c = 0; c < 3; c++)
    g_assert_cmpuint (gains[c * plane], ==, FB_LIGHTING_ONE);
  for (c = 0; c < 3; c++) {
    /* at the edge the border tone over the tone there, just beyond it (on the tile)
     * and far beyond it over the tile's */
    GAINS (edge);
    g_assert_cmpint (abs (gains[c * plane] - FB_LIGHTING_ONE * border_tone[c] / rest[c]),
        <=, 1);
    GAINS (out);
    g_assert_cmpint (abs (gains[c * plane] - FB_LIGHTING_ONE * border_tone[c]
            / corner[c]), <=, 1);
    GAINS (far_left);
    g_assert_cmpint (abs (gains[c * plane] - FB_LIGHTING_ONE * border_tone[c]
            / corner[c]), <=, 1);
    /* halfway into the band, halfway (the smooth step's middle) */
    GAINS (halfway);
    g_assert_cmpint (abs (gains[c * plane] - FB_LIGHTING_ONE * (border_tone[c]
                + rest[c]) / 2 / rest[c]), <=, 1);
  }
  /* the tile's blue is lowered, its red raised */
  GAINS (out);
  g_assert_cmpint (gains[0], >, FB_LIGHTING_ONE);
  g_assert_cmpint (gains[2 * plane], >, gains[0]);
  /* from the edge inwards each gain rises steadily to 1 */
  for (c = 0; c < 3; c++) {
    for (x = 0; x <= 50; x++) {
      float at[2] = { x, 50 };
      GAINS (at);
      if (x > 0)
        g_assert_cmpint (gains[c * plane], >=, last);
      last = gains[c * plane];
    }
    g_assert_cmpint (last, ==, FB_LIGHTING_ONE);
  }
#undef GAINS
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guide/blur/constant", test_blur_constant);
  g_test_add_func ("/guide/blur/impulse-symmetric", test_blur_impulse_symmetric);
  g_test_add_func ("/guide/blur/spread", test_blur_spread);
  g_test_add_func ("/guide/blur/reference", test_blur_reference);
  g_test_add_func ("/guide/blur/threads", test_blur_threads);
  g_test_add_func ("/guide/appearance", test_appearance_guide);
  g_test_add_func ("/guide/thin-dark-cap", test_thin_dark_cap);
  g_test_add_func ("/guide/stretch-contrast", test_stretch_contrast);
  g_test_add_func ("/guide/histogram-match", test_histogram_match);
  g_test_add_func ("/guide/background-appearance", test_background_appearance);
  g_test_add_func ("/guide/fold-into-style-corner", test_fold_into_style_corner);
  g_test_add_func ("/guide/backdrop-tone-gain", test_backdrop_tone_gains);
  g_test_add_func ("/mask/outline", test_mask_outline);
  g_test_add_func ("/mask/fill", test_mask_fill);
  g_test_add_func ("/mask/fill-notch", test_mask_fill_notch);
  g_test_add_func ("/mask/feather", test_mask_feather);
  return g_test_run ();
}
