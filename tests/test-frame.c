/* faceblit — tests for reading and blending regions of frames in every format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "fb-frame.h"
#include "fb-test-helpers.h"

/* Independent description of each format's memory layout, written from GStreamer's
 * format documentation rather than from fb-frame.c. */
typedef struct {
  int plane, offset, step;      /* sample i of a row at offset + i * step of the plane */
} Place;

typedef struct {
  FbFormat format;
  const char *name;
  int bpp;                      /* 0 for YUV */
  int r, g, b, extra;           /* byte offsets; extra = alpha / padding byte, or -1 */
  /* YUV: where Y, U and V lie, log2 of the chroma subsampling (x, y), whether there
   * is chroma, bits per value and how far a value is shifted up in its 16-bit word
   * (depth 8: one byte per value) */
  Place y, u, v;
  int xs, ys;
  gboolean chroma;
  int depth, shift;
} FormatInfo;

#define PLANAR_420 {0, 0, 1}, {1, 0, 1}, {2, 0, 1}, 1, 1, TRUE, 8, 0

static const FormatInfo formats[] = {
  {FB_FORMAT_RGBA, "RGBA", 4, 0, 1, 2, 3},
  {FB_FORMAT_BGRA, "BGRA", 4, 2, 1, 0, 3},
  {FB_FORMAT_ARGB, "ARGB", 4, 1, 2, 3, 0},
  {FB_FORMAT_ABGR, "ABGR", 4, 3, 2, 1, 0},
  {FB_FORMAT_RGBX, "RGBx", 4, 0, 1, 2, 3},
  {FB_FORMAT_BGRX, "BGRx", 4, 2, 1, 0, 3},
  {FB_FORMAT_XRGB, "xRGB", 4, 1, 2, 3, 0},
  {FB_FORMAT_XBGR, "xBGR", 4, 3, 2, 1, 0},
  {FB_FORMAT_RGB, "RGB", 3, 0, 1, 2, -1},
  {FB_FORMAT_BGR, "BGR", 3, 2, 1, 0, -1},
  {FB_FORMAT_I420, "I420", 0, 0, 0, 0, -1, PLANAR_420},
  {FB_FORMAT_NV12, "NV12", 0, 0, 0, 0, -1, {0, 0, 1}, {1, 0, 2}, {1, 1, 2}, 1, 1, TRUE, 8},
  {FB_FORMAT_NV21, "NV21", 0, 0, 0, 0, -1, {0, 0, 1}, {1, 1, 2}, {1, 0, 2}, 1, 1, TRUE, 8},
  {FB_FORMAT_YUY2, "YUY2", 0, 0, 0, 0, -1, {0, 0, 2}, {0, 1, 4}, {0, 3, 4}, 1, 0, TRUE, 8},
  {FB_FORMAT_UYVY, "UYVY", 0, 0, 0, 0, -1, {0, 1, 2}, {0, 0, 4}, {0, 2, 4}, 1, 0, TRUE, 8},
  {FB_FORMAT_GRAY8, "GRAY8", 0, 0, 0, 0, -1, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}, 0, 0, FALSE,
      8},
  {FB_FORMAT_I420_10LE, "I420_10LE", 0, 0, 0, 0, -1, {0, 0, 2}, {1, 0, 2}, {2, 0, 2}, 1, 1,
      TRUE, 10, 0},
  {FB_FORMAT_P010_10LE, "P010_10LE", 0, 0, 0, 0, -1, {0, 0, 2}, {1, 0, 4}, {1, 2, 4}, 1, 1,
      TRUE, 10, 6},
};

G_STATIC_ASSERT (G_N_ELEMENTS (formats) == FB_N_FORMATS);

static const FbYuvMatrix matrices[] = {
  FB_YUV_BT601_LIMITED, FB_YUV_BT601_FULL, FB_YUV_BT709_LIMITED, FB_YUV_BT709_FULL,
};

/* 517 columns span several of blend_yuv's column chunks. */
static const int sizes[][2] = { {17, 13}, {16, 10}, {1, 1}, {2, 3}, {33, 7}, {3, 2},
{517, 6} };

#define GUARD 64
#define SENTINEL 0xa5

/* A frame whose planes are separately allocated, with padding after every row and
 * guard bytes after every plane, both filled with SENTINEL to catch stray writes. */
typedef struct {
  FbFrame frame;
  const FormatInfo *info;
  size_t sizes[3];
  int rows[3];
  int row_bytes[3];             /* from a row's start to past its last sample */
  int n_planes;
} TestFrame;

static gboolean
is_yuv (const FormatInfo * info)
{
  return info->bpp == 0;
}

static int
chroma_width (const FormatInfo * info, int w)
{
  return ((w - 1) >> info->xs) + 1;
}

static int
chroma_height (const FormatInfo * info, int h)
{
  return ((h - 1) >> info->ys) + 1;
}

static void
grow_row (const FormatInfo * info, TestFrame * t, Place p, int n)
{
  int end = p.offset + (n - 1) * p.step + (info->depth > 8 ? 2 : 1);

  t->n_planes = MAX (t->n_planes, p.plane + 1);
  t->row_bytes[p.plane] = MAX (t->row_bytes[p.plane], end);
}

static TestFrame *
test_frame_new (const FormatInfo * info, FbYuvMatrix matrix, int w, int h, int padding)
{
  TestFrame *t = g_new0 (TestFrame, 1);
  int i;

  t->info = info;
  t->frame.format = info->format;
  t->frame.matrix = matrix;
  t->frame.width = w;
  t->frame.height = h;
  if (!is_yuv (info)) {
    t->n_planes = 1;
    t->row_bytes[0] = w * info->bpp;
  } else {
    grow_row (info, t, info->y, w);
    if (info->chroma) {
      grow_row (info, t, info->u, chroma_width (info, w));
      grow_row (info, t, info->v, chroma_width (info, w));
    }
  }
  for (i = 0; i < t->n_planes; i++) {
    t->rows[i] = i == 0 ? h : chroma_height (info, h);
    /* packed 4:2:2 rows hold whole macropixels */
    t->frame.strides[i] = ((t->row_bytes[i] + 3) & ~3) + padding;
    t->sizes[i] = (size_t) t->frame.strides[i] * t->rows[i] + GUARD;
    t->frame.planes[i] = g_malloc (t->sizes[i]);
    memset (t->frame.planes[i], SENTINEL, t->sizes[i]);
  }
  return t;
}

static void
test_frame_free (TestFrame * t)
{
  int i;
  for (i = 0; i < t->n_planes; i++)
    g_free (t->frame.planes[i]);
  g_free (t);
}

static TestFrame *
test_frame_copy (const TestFrame * t)
{
  TestFrame *c = g_memdup2 (t, sizeof (*t));
  int i;
  for (i = 0; i < t->n_planes; i++)
    c->frame.planes[i] = g_memdup2 (t->frame.planes[i], t->sizes[i]);
  return c;
}

static gboolean
test_frame_equal (const TestFrame * a, const TestFrame * b)
{
  int i;
  for (i = 0; i < a->n_planes; i++)
    if (memcmp (a->frame.planes[i], b->frame.planes[i], a->sizes[i]) != 0)
      return FALSE;
  return TRUE;
}

/* Bytes that are not pixel data (row padding, guard) still hold SENTINEL. */
static void
assert_padding_intact (const TestFrame * t)
{
  int i, y;
  size_t k;

  for (i = 0; i < t->n_planes; i++) {
    const uint8_t *p = t->frame.planes[i];
    for (y = 0; y < t->rows[i]; y++)
      for (k = t->row_bytes[i]; k < (size_t) t->frame.strides[i]; k++)
        g_assert_cmphex (p[(size_t) y * t->frame.strides[i] + k], ==, SENTINEL);
    for (k = (size_t) t->frame.strides[i] * t->rows[i]; k < t->sizes[i]; k++)
      g_assert_cmphex (p[k], ==, SENTINEL);
  }
}

/* ---- reference colour maths, in double precision straight from the standards */

typedef struct {
  double y, u, v;
} Yuv;

static void
matrix_constants (FbYuvMatrix m, double *kr, double *kb, gboolean * limited)
{
  gboolean bt709 = m == FB_YUV_BT709_LIMITED || m == FB_YUV_BT709_FULL;
  *kr = bt709 ? 0.2126 : 0.299;
  *kb = bt709 ? 0.0722 : 0.114;
  *limited = m == FB_YUV_BT601_LIMITED || m == FB_YUV_BT709_LIMITED;
}

/* Codes of `depth` bits: black, the spans of luma and chroma and zero chroma
 * (limited range: the 8-bit values times 2^(depth - 8); full range: every code). */
static void
code_range (FbYuvMatrix m, int depth, double *black, double *y_span, double *c_span,
    double *mid)
{
  double kr, kb, scale = 1 << (depth - 8);
  gboolean limited;

  matrix_constants (m, &kr, &kb, &limited);
  *black = limited ? 16 * scale : 0;
  *y_span = limited ? 219 * scale : (1 << depth) - 1;
  *c_span = limited ? 224 * scale : (1 << depth) - 1;
  *mid = 1 << (depth - 1);
}

static Yuv
ref_encode (FbYuvMatrix m, int depth, double r, double g, double b)
{
  double kr, kb, e, black, ys, cs, mid;
  gboolean limited;
  Yuv o;

  matrix_constants (m, &kr, &kb, &limited);
  code_range (m, depth, &black, &ys, &cs, &mid);
  e = kr * r + (1 - kr - kb) * g + kb * b;      /* 0..255 */
  o.y = black + e * ys / 255;
  o.u = mid + (b - e) / (2 * (1 - kb)) * cs / 255;
  o.v = mid + (r - e) / (2 * (1 - kr)) * cs / 255;
  return o;
}

static void
ref_decode (FbYuvMatrix m, int depth, double y, double u, double v, double rgb[3])
{
  double kr, kb, e, pb, pr, black, ys, cs, mid;
  gboolean limited;

  matrix_constants (m, &kr, &kb, &limited);
  code_range (m, depth, &black, &ys, &cs, &mid);
  e = (y - black) * 255 / ys;
  pb = (u - mid) * 255 / cs;
  pr = (v - mid) * 255 / cs;
  rgb[0] = e + 2 * (1 - kr) * pr;
  rgb[2] = e + 2 * (1 - kb) * pb;
  rgb[1] = (e - kr * rgb[0] - kb * rgb[2]) / (1 - kr - kb);
}

static uint8_t
to_u8 (double v)
{
  return (uint8_t) CLAMP (floor (v + 0.5), 0, 255);
}

static int
max_code (const FormatInfo * info)
{
  return (1 << info->depth) - 1;
}

static int
to_code (const FormatInfo * info, double v)
{
  return (int) CLAMP (floor (v + 0.5), 0, max_code (info));
}

static uint8_t *
sample_at (const TestFrame * t, Place p, int i, int row)
{
  return t->frame.planes[p.plane] + (size_t) row * t->frame.strides[p.plane] + p.offset
      + (size_t) i * p.step;
}

static int
get_sample (const TestFrame * t, Place p, int i, int row)
{
  const uint8_t *s = sample_at (t, p, i, row);
  return t->info->depth == 8 ? s[0] : (s[0] | s[1] << 8) >> t->info->shift;
}

static void
set_sample (const TestFrame * t, Place p, int i, int row, int value)
{
  uint8_t *s = sample_at (t, p, i, row);
  if (t->info->depth == 8) {
    s[0] = value;
  } else {
    s[0] = (value << t->info->shift) & 255;
    s[1] = (value << t->info->shift) >> 8;
  }
}

static int
y_at (const TestFrame * t, int x, int y)
{
  return get_sample (t, t->info->y, x, y);
}

static int
u_at (const TestFrame * t, int cx, int cy)
{
  return t->info->chroma ? get_sample (t, t->info->u, cx, cy) : 1 << (t->info->depth - 1);
}

static int
v_at (const TestFrame * t, int cx, int cy)
{
  return t->info->chroma ? get_sample (t, t->info->v, cx, cy) : 1 << (t->info->depth - 1);
}

static uint8_t *
pixel_at (const TestFrame * t, int x, int y)
{
  return t->frame.planes[0] + (size_t) y * t->frame.strides[0] + x * t->info->bpp;
}

static uint8_t
extra_pattern (int x, int y)
{
  return (uint8_t) (x * 7 + y * 13 + 1);
}

/* Writes an RGB image into the frame the way an encoder would: chroma of each 2x2
 * block from the mean colour of its pixels. */
static void
test_frame_fill (TestFrame * t, const FbImage * rgb)
{
  int w = t->frame.width, h = t->frame.height, x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const uint8_t *s = fb_image_row (rgb, y) + 3 * x;
      if (!is_yuv (t->info)) {
        uint8_t *p = pixel_at (t, x, y);
        p[t->info->r] = s[0];
        p[t->info->g] = s[1];
        p[t->info->b] = s[2];
        if (t->info->extra >= 0)
          p[t->info->extra] = extra_pattern (x, y);
      } else {
        set_sample (t, t->info->y, x, y, to_code (t->info, ref_encode (t->frame.matrix,
                    t->info->depth, s[0], s[1], s[2]).y));
      }
    }
  if (!is_yuv (t->info) || !t->info->chroma)
    return;
  for (y = 0; y < chroma_height (t->info, h); y++)
    for (x = 0; x < chroma_width (t->info, w); x++) {
      double sum[3] = { 0, 0, 0 };
      int n = 0, dx, dy, c;
      Yuv e;
      for (dy = 0; dy < 1 << t->info->ys; dy++)
        for (dx = 0; dx < 1 << t->info->xs; dx++) {
          int px = (x << t->info->xs) + dx, py = (y << t->info->ys) + dy;
          if (px < w && py < h) {
            for (c = 0; c < 3; c++)
              sum[c] += fb_image_row (rgb, py)[3 * px + c];
            n++;
          }
        }
      e = ref_encode (t->frame.matrix, t->info->depth, sum[0] / n, sum[1] / n, sum[2] / n);
      set_sample (t, t->info->u, x, y, to_code (t->info, e.u));
      set_sample (t, t->info->v, x, y, to_code (t->info, e.v));
    }
}

/* RGB that survives every subsampling: constant over every 2x2 block, and grey where
 * the format is. */
static FbImage *
block_image (const FormatInfo * info, int w, int h, guint32 seed)
{
  FbImage *half = fb_test_random_image ((w + 1) / 2, (h + 1) / 2, 3, 2.0f, seed);
  FbImage *img = fb_image_new (w, h, 3);
  int x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      uint8_t *p = fb_image_row (img, y) + 3 * x;
      memcpy (p, fb_image_row (half, y / 2) + 3 * (x / 2), 3);
      if (is_yuv (info) && !info->chroma)
        p[1] = p[2] = p[0];
    }
  fb_image_free (half);
  return img;
}

static FbImage *
random_bytes_image (int w, int h, int channels, GRand * rand)
{
  FbImage *img = fb_image_new (w, h, channels);
  int i;
  for (i = 0; i < img->stride * h; i++)
    img->data[i] = g_rand_int_range (rand, 0, 256);
  return img;
}

static int
n_matrices (const FormatInfo * info)
{
  return is_yuv (info) ? G_N_ELEMENTS (matrices) : 1;
}

/* ---- tests */

static void
test_read_rgb (void)
{
  guint f, s, m, padding;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (m = 0; m < (guint) n_matrices (&formats[f]); m++)
      for (s = 0; s < G_N_ELEMENTS (sizes); s++)
        for (padding = 0; padding <= 13; padding += 13) {
          const FormatInfo *info = &formats[f];
          int w = sizes[s][0], h = sizes[s][1], x, y, c;
          g_autoptr (FbImage) src = is_yuv (info) ? block_image (info, w, h, 7 + s)
              : fb_test_random_image (w, h, 3, 3.0f, 7 + s);
          g_autoptr (FbImage) out = NULL;
          FbRect whole = { 0, 0, w, h };
          TestFrame *t = test_frame_new (info, matrices[m], w, h, padding);
          double total_error = 0;
          int max_error = 0;

          test_frame_fill (t, src);
          fb_frame_read_rgb (&t->frame, whole, &out);
          g_assert_cmpint (out->width, ==, w);
          g_assert_cmpint (out->height, ==, h);
          g_assert_cmpint (out->channels, ==, 3);
          for (y = 0; y < h; y++)
            for (x = 0; x < w; x++)
              for (c = 0; c < 3; c++) {
                int d = abs (fb_image_row (out, y)[3 * x + c]
                    - fb_image_row (src, y)[3 * x + c]);
                max_error = MAX (max_error, d);
                total_error += d;
              }
          if (!is_yuv (info)) {
            g_assert_cmpint (max_error, ==, 0);
          } else {
            /* Quantisation of Y, U, V to 8 bits, limited range being the coarsest. */
            g_assert_cmpint (max_error, <=, 2);
            /* (over enough pixels: grey has one error in all three channels) */
            if (w * h >= 16)
              g_assert_cmpfloat (total_error / (3.0 * w * h), <, 0.8);
            /* And against a double-precision decode of the very samples. */
            for (y = 0; y < h; y++)
              for (x = 0; x < w; x++) {
                double ref[3];
                ref_decode (matrices[m], info->depth, y_at (t, x, y),
                    u_at (t, x >> info->xs, y >> info->ys),
                    v_at (t, x >> info->xs, y >> info->ys), ref);
                for (c = 0; c < 3; c++)
                  g_assert_cmpint (abs (fb_image_row (out, y)[3 * x + c]
                          - to_u8 (ref[c])), <=, 1);
              }
          }

          /* A sub-rect at odd coordinates, one touching the right and bottom edges. */
          if (w >= 3 && h >= 3) {
            FbRect rects[2] = { {1, 1, w - 2, h - 2}, {w / 2 | 1, h / 2 | 1, 0, 0} };
            int r;
            rects[1].width = w - rects[1].x;
            rects[1].height = h - rects[1].y;
            for (r = 0; r < 2; r++) {
              g_autoptr (FbImage) part = NULL;
              fb_frame_read_rgb (&t->frame, rects[r], &part);
              g_assert_cmpint (part->width, ==, rects[r].width);
              g_assert_cmpint (part->height, ==, rects[r].height);
              for (y = 0; y < part->height; y++)
                g_assert_cmpmem (fb_image_row (part, y), 3 * part->width,
                    fb_image_row (out, y + rects[r].y) + 3 * rects[r].x, 3 * part->width);
            }
          }
          assert_padding_intact (t);
          test_frame_free (t);
        }
}

/* A frame of random bytes: for YUV every byte pattern is a valid frame. */
static TestFrame *
random_frame (const FormatInfo * info, FbYuvMatrix matrix, int w, int h, int padding,
    GRand * rand)
{
  TestFrame *t = test_frame_new (info, matrix, w, h, padding);
  int i;
  g_autoptr (FbImage) src = random_bytes_image (w, h, 3, rand);

  test_frame_fill (t, src);
  if (is_yuv (info)) {
    /* Random samples everywhere, keeping padding and guards (and words' bits outside
     * their values 0, as GStreamer writes them). */
    const Place places[3] = { info->y, info->u, info->v };
    int x, y;
    for (i = 0; i < (info->chroma ? 3 : 1); i++) {
      int rows = i == 0 ? h : chroma_height (info, h);
      int n = i == 0 ? w : chroma_width (info, w);
      for (y = 0; y < rows; y++)
        for (x = 0; x < n; x++)
          set_sample (t, places[i], x, y, g_rand_int_range (rand, 0, max_code (info) + 1));
    }
  }
  return t;
}

static void
test_blend_alpha_zero_is_bit_exact (void)
{
  GRand *rand = g_rand_new_with_seed (42);
  guint f, s, m;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (m = 0; m < (guint) n_matrices (&formats[f]); m++)
      for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
        const FormatInfo *info = &formats[f];
        int w = sizes[s][0], h = sizes[s][1], r;
        FbRect rects[] = { {0, 0, w, h}, {1, 1, w, h}, {-3, -2, w, h + 5},
          {w / 2, h / 2, w, h}
        };
        TestFrame *t = random_frame (info, matrices[m], w, h, 5, rand);
        int p, y;
        size_t k;

        /* every bit of every sample random, those of deep words outside the value too */
        for (p = 0; p < t->n_planes && is_yuv (info); p++)
          for (y = 0; y < t->rows[p]; y++)
            for (k = 0; k < (size_t) t->row_bytes[p]; k++)
              t->frame.planes[p][(size_t) y * t->frame.strides[p] + k] =
                  g_rand_int_range (rand, 0, 256);
        for (r = 0; r < (int) G_N_ELEMENTS (rects); r++) {
          TestFrame *before = test_frame_copy (t);
          g_autoptr (FbImage) rgb = random_bytes_image (rects[r].width, rects[r].height, 3,
              rand);
          g_autoptr (FbImage) alpha = fb_image_new (rects[r].width, rects[r].height, 1);
          fb_frame_blend_rgb (&t->frame, rects[r], rgb, alpha);
          g_assert_true (test_frame_equal (t, before));
          test_frame_free (before);
        }
        test_frame_free (t);
      }
  g_rand_free (rand);
}

/* Blends random colours with random alpha (many zeros, some 255) over a random frame
 * and checks every pixel against the formula. */
static void
test_blend_partial_alpha (void)
{
  GRand *rand = g_rand_new_with_seed (4242);
  guint f, s, m;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (m = 0; m < (guint) n_matrices (&formats[f]); m++)
      for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
        const FormatInfo *info = &formats[f];
        int w = sizes[s][0], h = sizes[s][1], r;
        /* Inside, at an odd offset, and overhanging each side. */
        FbRect rects[] = { {0, 0, w, h}, {1, 1, w - 1, h - 1}, {-3, -2, w, h + 5},
          {w / 2, h / 2, w, h}, {w - 1, h - 1, 4, 4}
        };
        for (r = 0; r < (int) G_N_ELEMENTS (rects); r++) {
          FbRect rect = rects[r];
          TestFrame *t, *before;
          g_autoptr (FbImage) rgb = NULL;
          g_autoptr (FbImage) alpha = NULL;
          int x, y, c, i;

          if (rect.width <= 0 || rect.height <= 0)
            continue;
          t = random_frame (info, matrices[m], w, h, 3, rand);
          before = test_frame_copy (t);
          rgb = random_bytes_image (rect.width, rect.height, 3, rand);
          alpha = random_bytes_image (rect.width, rect.height, 1, rand);
          for (i = 0; i < rect.width * rect.height; i++) {
            int k = g_rand_int_range (rand, 0, 4);
            alpha->data[i] = k == 0 ? 0 : k == 1 ? 255 : alpha->data[i];
          }
          if (r == 0 && w >= 2 && h >= 2) {
            /* A whole chroma block left alone. */
            memset (alpha->data, 0, 2);
            memset (alpha->data + alpha->stride, 0, 2);
          }
          fb_frame_blend_rgb (&t->frame, rect, rgb, alpha);
          assert_padding_intact (t);

          for (y = 0; y < h; y++)
            for (x = 0; x < w; x++) {
              gboolean inside = x >= rect.x && x < rect.x + rect.width && y >= rect.y
                  && y < rect.y + rect.height;
              int a = inside ? fb_image_row (alpha, y - rect.y)[x - rect.x] : 0;
              const uint8_t *s3 = inside ? fb_image_row (rgb, y - rect.y) + 3 * (x - rect.x)
                  : NULL;
              if (!is_yuv (info)) {
                const uint8_t *p = pixel_at (t, x, y), *o = pixel_at (before, x, y);
                const int off[3] = { info->r, info->g, info->b };
                for (c = 0; c < 3; c++) {
                  int expect = a == 0 ? o[off[c]]
                      : to_u8 ((s3[c] * a + o[off[c]] * (255.0 - a)) / 255);
                  g_assert_cmpint (p[off[c]], ==, expect);
                }
                if (info->extra >= 0)
                  g_assert_cmpint (p[info->extra], ==, o[info->extra]);
              } else if (a == 0) {
                g_assert_cmpint (y_at (t, x, y), ==, y_at (before, x, y));
              } else {
                double ey = ref_encode (t->frame.matrix, info->depth, s3[0], s3[1], s3[2]).y;
                double expect = (ey * a + y_at (before, x, y) * (255.0 - a)) / 255;
                g_assert_cmpfloat (fabs (y_at (t, x, y) - expect), <=, 1.0);
              }
            }
          if (is_yuv (info) && info->chroma)
            for (y = 0; y < chroma_height (info, h); y++)
              for (x = 0; x < chroma_width (info, w); x++) {
                double su = 0, sv = 0, sa = 0;
                int n = 0, dx, dy;
                for (dy = 0; dy < 1 << info->ys; dy++)
                  for (dx = 0; dx < 1 << info->xs; dx++) {
                    int px = (x << info->xs) + dx, py = (y << info->ys) + dy, a;
                    const uint8_t *s3;
                    Yuv e;
                    if (px >= w || py >= h)
                      continue;
                    n++;
                    if (px < rect.x || px >= rect.x + rect.width || py < rect.y
                        || py >= rect.y + rect.height)
                      continue;
                    a = fb_image_row (alpha, py - rect.y)[px - rect.x];
                    s3 = fb_image_row (rgb, py - rect.y) + 3 * (px - rect.x);
                    e = ref_encode (t->frame.matrix, info->depth, s3[0], s3[1], s3[2]);
                    su += a * e.u;
                    sv += a * e.v;
                    sa += a;
                  }
                if (sa == 0) {
                  g_assert_cmpint (u_at (t, x, y), ==, u_at (before, x, y));
                  g_assert_cmpint (v_at (t, x, y), ==, v_at (before, x, y));
                } else {
                  /* the mean of the blended colours of the pixels sharing the sample */
                  double eu = (su + u_at (before, x, y) * (255.0 * n - sa)) / (255.0 * n);
                  double ev = (sv + v_at (before, x, y) * (255.0 * n - sa)) / (255.0 * n);
                  g_assert_cmpfloat (fabs (u_at (t, x, y) - CLAMP (eu, 0, max_code (info))),
                      <=, 1.0);
                  g_assert_cmpfloat (fabs (v_at (t, x, y) - CLAMP (ev, 0, max_code (info))),
                      <=, 1.0);
                }
              }
          test_frame_free (before);
          test_frame_free (t);
        }
      }
  g_rand_free (rand);
}

/* Alpha 255 everywhere writes the image; reading it back gives it again. */
static void
test_blend_opaque_writes_colour (void)
{
  guint f, s, m;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (m = 0; m < (guint) n_matrices (&formats[f]); m++)
      for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
        const FormatInfo *info = &formats[f];
        int w = sizes[s][0], h = sizes[s][1], x, y, c;
        FbRect whole = { 0, 0, w, h };
        GRand *rand = g_rand_new_with_seed (s);
        TestFrame *t = random_frame (info, matrices[m], w, h, 7, rand);
        TestFrame *before = test_frame_copy (t);
        g_autoptr (FbImage) src = block_image (info, w, h, 99 + s);
        g_autoptr (FbImage) alpha = fb_image_new (w, h, 1);
        g_autoptr (FbImage) out = NULL;

        memset (alpha->data, 255, alpha->stride * h);
        fb_frame_blend_rgb (&t->frame, whole, src, alpha);
        fb_frame_read_rgb (&t->frame, whole, &out);
        for (y = 0; y < h; y++)
          for (x = 0; x < w; x++)
            for (c = 0; c < 3; c++)
              g_assert_cmpint (abs (fb_image_row (out, y)[3 * x + c]
                      - fb_image_row (src, y)[3 * x + c]), <=, is_yuv (info) ? 2 : 0);
        for (y = 0; y < h && !is_yuv (info) && info->extra >= 0; y++)
          for (x = 0; x < w; x++)
            g_assert_cmpint (pixel_at (t, x, y)[info->extra], ==,
                pixel_at (before, x, y)[info->extra]);
        assert_padding_intact (t);
        test_frame_free (before);
        test_frame_free (t);
        g_rand_free (rand);
      }
}

/* Known values from the standards, so a consistently wrong matrix cannot pass. */
static void
test_known_yuv_values (void)
{
  static const struct {
    FbYuvMatrix matrix;
    int depth;
    uint8_t rgb[3];
    int yuv[3];
  } cases[] = {
    {FB_YUV_BT601_LIMITED, 8, {255, 0, 0}, {81, 90, 240}},
    {FB_YUV_BT601_LIMITED, 8, {255, 255, 255}, {235, 128, 128}},
    {FB_YUV_BT601_LIMITED, 8, {0, 0, 0}, {16, 128, 128}},
    {FB_YUV_BT601_LIMITED, 8, {0, 0, 255}, {41, 240, 110}},
    {FB_YUV_BT709_LIMITED, 8, {255, 0, 0}, {63, 102, 240}},
    {FB_YUV_BT709_LIMITED, 8, {0, 255, 0}, {173, 42, 26}},
    {FB_YUV_BT601_FULL, 8, {255, 0, 0}, {76, 85, 255}},
    {FB_YUV_BT601_FULL, 8, {128, 128, 128}, {128, 128, 128}},
    {FB_YUV_BT709_FULL, 8, {0, 255, 0}, {182, 30, 12}},
    /* 10 bits: SMPTE RP 219's 100% red, white and black, and full-range codes */
    {FB_YUV_BT709_LIMITED, 10, {255, 0, 0}, {250, 409, 960}},
    {FB_YUV_BT709_LIMITED, 10, {255, 255, 255}, {940, 512, 512}},
    {FB_YUV_BT601_LIMITED, 10, {0, 0, 0}, {64, 512, 512}},
    {FB_YUV_BT601_LIMITED, 10, {255, 0, 0}, {326, 361, 960}},
    {FB_YUV_BT601_FULL, 10, {255, 255, 255}, {1023, 512, 512}},
    {FB_YUV_BT709_FULL, 10, {0, 255, 0}, {732, 118, 47}},
  };
  guint i, f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (i = 0; i < G_N_ELEMENTS (cases); i++) {
      const FormatInfo *info = &formats[f];
      TestFrame *t;
      FbRect whole = { 0, 0, 2, 2 };
      g_autoptr (FbImage) rgb = fb_image_new (2, 2, 3);
      g_autoptr (FbImage) alpha = fb_image_new (2, 2, 1);
      g_autoptr (FbImage) back = NULL;
      int k;

      if (!is_yuv (info) || info->depth != cases[i].depth)
        continue;
      t = test_frame_new (info, cases[i].matrix, 2, 2, 0);
      for (k = 0; k < 4; k++)
        memcpy (rgb->data + 3 * k, cases[i].rgb, 3);
      memset (alpha->data, 255, 4);
      fb_frame_blend_rgb (&t->frame, whole, rgb, alpha);
      for (k = 0; k < 4; k++)
        g_assert_cmpint (y_at (t, k % 2, k / 2), ==, cases[i].yuv[0]);
      if (info->chroma) {
        g_assert_cmpint (u_at (t, 0, 0), ==, cases[i].yuv[1]);
        g_assert_cmpint (v_at (t, 0, 0), ==, cases[i].yuv[2]);
        fb_frame_read_rgb (&t->frame, whole, &back);
        for (k = 0; k < 3; k++)
          g_assert_cmpint (abs (back->data[k] - cases[i].rgb[k]), <=, 2);
      }
      test_frame_free (t);
    }
}

static void
test_read_luma (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  FbWorkers *workers = fb_workers_new (2);
  guint f, s, m;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (m = 0; m < (guint) n_matrices (&formats[f]); m++)
      for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
        const FormatInfo *info = &formats[f];
        int w = sizes[s][0], h = sizes[s][1], x, y;
        TestFrame *t = random_frame (info, matrices[m], w, h, 9, rand);
        g_autoptr (FbImage) luma = NULL;
        double black, y_span, c_span, mid;

        code_range (matrices[m], info->depth ? info->depth : 8, &black, &y_span, &c_span,
            &mid);
        fb_frame_read_luma (workers, &t->frame, &luma);
        g_assert_cmpint (luma->width, ==, w);
        g_assert_cmpint (luma->height, ==, h);
        g_assert_cmpint (luma->channels, ==, 1);
        for (y = 0; y < h; y++)
          for (x = 0; x < w; x++) {
            int got = fb_image_row (luma, y)[x], expect;
            if (!is_yuv (info)) {
              const uint8_t *p = pixel_at (t, x, y);
              expect = (77 * p[info->r] + 150 * p[info->g] + 29 * p[info->b] + 128) >> 8;
            } else {
              expect = to_u8 ((y_at (t, x, y) - black) * 255.0 / y_span);
            }
            g_assert_cmpint (got, ==, expect);
            /* the kernels' one pixel at a time */
            g_assert_cmpint (fb_frame_luma_at (&t->frame, x, y), ==, expect);
          }
        test_frame_free (t);
      }
  fb_workers_free (workers);
  g_rand_free (rand);
}

/* Copying the span of rows [y0, y1) of every plane copies those rows' pixels (for
 * chroma, of the chroma rows they share) and nothing outside them: not the padding
 * after the last row, which need not exist. */
static void
test_plane_span (void)
{
  GRand *rand = g_rand_new_with_seed (13);
  guint f, s;

  for (f = 0; f < G_N_ELEMENTS (formats); f++)
    for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
      const FormatInfo *info = &formats[f];
      int w = sizes[s][0], h = sizes[s][1];
      int y0 = g_rand_int_range (rand, 0, h), y1 = g_rand_int_range (rand, y0 + 1, h + 1);
      TestFrame *from = test_frame_new (info, FB_YUV_BT601_LIMITED, w, h, 5);
      TestFrame *to = test_frame_new (info, FB_YUV_BT601_LIMITED, w, h, 5);
      int p;

      g_assert_cmpint (fb_frame_n_planes (info->format), ==, from->n_planes);
      for (p = 0; p < from->n_planes; p++) {
        int r0 = p ? y0 >> info->ys : y0, r1 = p ? ((y1 - 1) >> info->ys) + 1 : y1;
        int stride = from->frame.strides[p], row_bytes = from->row_bytes[p];
        gsize offset, size, k;
        for (k = 0; k < from->sizes[p]; k++)
          from->frame.planes[p][k] = SENTINEL + 1;
        size = fb_frame_plane_span (&from->frame, p, y0, y1, &offset);
        memcpy (to->frame.planes[p] + offset, from->frame.planes[p] + offset, size);
        for (k = 0; k < to->sizes[p]; k++) {
          int row = (int) (k / stride), column = (int) (k % stride);
          gboolean pixel = row >= r0 && row < r1 && column < row_bytes;
          gboolean outside = row < r0 || row >= r1 || (row == r1 - 1 && column >= row_bytes);
          if (pixel || outside)
            g_assert_cmpint (to->frame.planes[p][k], ==, pixel ? SENTINEL + 1 : SENTINEL);
        }
      }
      test_frame_free (from);
      test_frame_free (to);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame/read-rgb", test_read_rgb);
  g_test_add_func ("/frame/blend-alpha-zero-bit-exact", test_blend_alpha_zero_is_bit_exact);
  g_test_add_func ("/frame/blend-partial-alpha", test_blend_partial_alpha);
  g_test_add_func ("/frame/blend-opaque-writes-colour", test_blend_opaque_writes_colour);
  g_test_add_func ("/frame/known-yuv-values", test_known_yuv_values);
  g_test_add_func ("/frame/read-luma", test_read_luma);
  g_test_add_func ("/frame/plane-span", test_plane_span);
  return g_test_run ();
}
