/* faceblit — read and write regions of a video frame in any supported format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-frame.h"

#include <string.h>

#include "fb-vectorised.h"

/* The per-pixel loops below are written for the auto-vectoriser: each packed layout gets
 * its own copy of the loop with constant channel offsets (the G_ALWAYS_INLINE helpers
 * called with literal arguments), blends stay in 16-bit lanes, and YUV chroma goes
 * through per-pixel rows so the colour maths runs over contiguous arrays. */

static inline uint8_t
clamp_u8 (int v)
{
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* round (x / 255) for x in [0, 255 * 255]; 16 bits suffice, so vectors hold 8 lanes. */
static inline uint8_t
div255 (uint16_t x)
{
  x += 128;
  return (uint16_t) (x + (x >> 8)) >> 8;
}

static inline uint8_t
blend_u8 (uint8_t value, uint8_t alpha, uint8_t under)
{
  return div255 ((uint16_t) (value * alpha + under * (255 - alpha)));
}

static gboolean
format_is_yuv (FbFormat format)
{
  return format == FB_FORMAT_I420 || format == FB_FORMAT_NV12;
}

/* ------------------------------------------------------------- YUV matrices */

#define FIX 16
#define FIX_HALF (1 << (FIX - 1))

/* 16-bit fixed-point coefficients of one matrix and range, both directions. */
typedef struct {
  int yr, yg, yb, y_black;      /* Y = y_black + (yr R + yg G + yb B) */
  int ur, ug, ub;               /* U = 128 + (ur R + ug G + ub B), likewise V */
  int vr, vg, vb;
  int y_gain;                   /* R' = y_gain (Y - y_black) */
  int rv, gu, gv, bu;           /* R = R' + rv V', G = R' - gu U' - gv V', B = R' + bu U' */
} YuvCoeffs;

static int
fix (double v)
{
  return (int) (v * (1 << FIX) + (v < 0 ? -0.5 : 0.5));
}

static void
yuv_coeffs_init (FbYuvMatrix matrix, YuvCoeffs * c)
{
  gboolean bt709 = matrix == FB_YUV_BT709_LIMITED || matrix == FB_YUV_BT709_FULL;
  gboolean limited = matrix == FB_YUV_BT601_LIMITED || matrix == FB_YUV_BT709_LIMITED;
  double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
  double sy = limited ? 219.0 / 255 : 1, sc = limited ? 224.0 / 255 : 1;
  double cb = sc / (2 * (1 - kb)), cr = sc / (2 * (1 - kr));

  /* The middle coefficient of each row absorbs the rounding, so that grey maps to
   * U = V = 128 exactly and white to full-scale Y. */
  c->yr = fix (sy * kr);
  c->yb = fix (sy * kb);
  c->yg = fix (sy) - c->yr - c->yb;
  c->y_black = limited ? 16 : 0;
  c->ur = fix (-cb * kr);
  c->ub = fix (sc / 2);
  c->ug = -c->ur - c->ub;
  c->vr = fix (sc / 2);
  c->vb = fix (-cr * kb);
  c->vg = -c->vr - c->vb;

  c->y_gain = fix (1 / sy);
  c->rv = fix (2 * (1 - kr) / sc);
  c->bu = fix (2 * (1 - kb) / sc);
  c->gu = fix (2 * (1 - kb) * kb / (kg * sc));
  c->gv = fix (2 * (1 - kr) * kr / (kg * sc));
}

/* Converts one row; u and v hold the chroma of every pixel. */
static G_ALWAYS_INLINE inline void
yuv_row_to_rgb (const YuvCoeffs * c, const uint8_t * y, const uint8_t * u,
    const uint8_t * v, uint8_t * rgb, int n)
{
  const int y_gain = c->y_gain, y_black = c->y_black;
  const int rv = c->rv, gu = c->gu, gv = c->gv, bu = c->bu;
  int x;

  for (x = 0; x < n; x++) {
    int l = (y[x] - y_black) * y_gain + FIX_HALF;
    int du = u[x] - 128, dv = v[x] - 128;
    rgb[3 * x + 0] = clamp_u8 ((l + rv * dv) >> FIX);
    rgb[3 * x + 1] = clamp_u8 ((l - gu * du - gv * dv) >> FIX);
    rgb[3 * x + 2] = clamp_u8 ((l + bu * du) >> FIX);
  }
}

/* Chroma planes of a YUV frame: U and V samples of chroma row cy start at u and v
 * and lie `step` bytes apart (1 for I420, 2 for interleaved NV12). */
typedef struct {
  uint8_t *u;
  uint8_t *v;
  int step;
} ChromaRow;

static ChromaRow
chroma_row (const FbFrame * frame, int cy)
{
  ChromaRow r;

  if (frame->format == FB_FORMAT_NV12) {
    r.u = frame->planes[1] + (size_t) cy * frame->strides[1];
    r.v = r.u + 1;
    r.step = 2;
  } else {
    r.u = frame->planes[1] + (size_t) cy * frame->strides[1];
    r.v = frame->planes[2] + (size_t) cy * frame->strides[2];
    r.step = 1;
  }
  return r;
}

FB_VECTORISED static void
read_rgb_yuv (const FbFrame * frame, FbRect rect, FbImage * out)
{
  YuvCoeffs c;
  uint8_t *u = g_malloc (2 * (size_t) rect.width), *v = u + rect.width;
  int x, y;

  yuv_coeffs_init (frame->matrix, &c);
  for (y = 0; y < rect.height; y++) {
    int fy = rect.y + y;
    ChromaRow cr = chroma_row (frame, fy >> 1);
    for (x = 0; x < rect.width; x++) {
      int i = ((rect.x + x) >> 1) * cr.step;
      u[x] = cr.u[i];
      v[x] = cr.v[i];
    }
    yuv_row_to_rgb (&c, frame->planes[0] + (size_t) fy * frame->strides[0] + rect.x,
        u, v, fb_image_row (out, y), rect.width);
  }
  g_free (u);
}

/* Per chroma row: sums over the pixels of each chroma sample of alpha and of alpha
 * times R, G and B, and per pixel the same four terms, placed so that pixel pairs
 * (2k, 2k + 1) are the pixels of sample k. */
typedef struct {
  int *a, *r, *g, *b;
  uint16_t *pa, *pr, *pg, *pb;
} ChromaSums;

/* Adds one row of `n` pixels; the first is the right half of its chroma sample when
 * `odd`. Two plain passes, as the vectoriser handles groups of 3 or 2 accesses but
 * not the 6 a direct pair sum would read. */
static G_ALWAYS_INLINE inline void
chroma_sums_add_row (const ChromaSums * sums, const uint8_t * restrict src,
    const uint8_t * restrict a, int n, int odd, int cw)
{
  int *restrict sa = sums->a, *restrict sr = sums->r, *restrict sg = sums->g;
  int *restrict sb = sums->b;
  uint16_t *restrict pa = sums->pa + odd, *restrict pr = sums->pr + odd;
  uint16_t *restrict pg = sums->pg + odd, *restrict pb = sums->pb + odd;
  int x, k;

  /* Pixels left of and right of the row: in no sample's sum. */
  sums->pa[0] = sums->pr[0] = sums->pg[0] = sums->pb[0] = 0;
  sums->pa[2 * cw - 1] = sums->pr[2 * cw - 1] = sums->pg[2 * cw - 1] = 0;
  sums->pb[2 * cw - 1] = 0;
  for (x = 0; x < n; x++) {
    pa[x] = a[x];
    pr[x] = a[x] * src[3 * x];
    pg[x] = a[x] * src[3 * x + 1];
    pb[x] = a[x] * src[3 * x + 2];
  }
  pa = sums->pa;
  pr = sums->pr;
  pg = sums->pg;
  pb = sums->pb;
  for (k = 0; k < cw; k++) {
    sa[k] += pa[2 * k] + pa[2 * k + 1];
    sr[k] += pr[2 * k] + pr[2 * k + 1];
    sg[k] += pg[2 * k] + pg[2 * k + 1];
    sb[k] += pb[2 * k] + pb[2 * k + 1];
  }
}

/* Blends a chroma sample covering `n` frame pixels: the mean of their blended colours,
 * those outside the rect keeping the frame's colour (alpha 0). By linearity that is
 * the chroma of the alpha-weighted colour sum plus the old chroma weighted by the rest
 * (`full` = 255 n). Coefficients are 16-bit fixed point; double keeps every term
 * exact and divides faster than 64-bit integers. */
static inline uint8_t
blend_chroma (int cr, int cg, int cb, int sa, int sr, int sg, int sb, int old, int full)
{
  double weighted = 128.0 * sa + ((double) cr * sr + (double) cg * sg
      + (double) cb * sb) * (1.0 / (1 << FIX));
  double v = (weighted + (double) old * (full - sa)) / full + 0.5;
  return v >= 255 ? 255 : (uint8_t) v;
}

/* Blends the `cw` chroma samples of one row, `step` bytes apart; each covers two
 * columns of `rows` frame pixels, the last only one column unless `last_is_full`. */
static G_ALWAYS_INLINE inline void
blend_chroma_row (const YuvCoeffs * c, const ChromaSums * sums, uint8_t * u, uint8_t * v,
    const int step, int cw, int rows, gboolean last_is_full)
{
  const int ur = c->ur, ug = c->ug, ub = c->ub, vr = c->vr, vg = c->vg, vb = c->vb;
  const int full = 2 * 255 * rows, last = (last_is_full ? 2 : 1) * 255 * rows;
  const int *restrict sa = sums->a, *restrict sr = sums->r, *restrict sg = sums->g;
  const int *restrict sb = sums->b;
  int i;

  for (i = 0; i < cw; i++) {
    int n = i == cw - 1 ? last : full;
    uint8_t nu = blend_chroma (ur, ug, ub, sa[i], sr[i], sg[i], sb[i], u[step * i], n);
    uint8_t nv = blend_chroma (vr, vg, vb, sa[i], sr[i], sg[i], sb[i], v[step * i], n);
    u[step * i] = nu;
    v[step * i] = nv;
  }
}

/* Chroma samples per column chunk of blend_yuv: its sums live on the stack, so
 * blending a row pair (the fused compositing calls one per pair) allocates nothing. */
#define CHROMA_CHUNK 128

/* `rect` is clipped to the frame; rgb and alpha are read at (ox, oy) + (x, y). */
FB_VECTORISED static void
blend_yuv (FbFrame * frame, FbRect rect, int ox, int oy, const FbImage * rgb,
    const FbImage * alpha)
{
  YuvCoeffs c;
  int cx0 = rect.x >> 1, cx1 = (rect.x + rect.width - 1) >> 1;
  int cy0 = rect.y >> 1, cy1 = (rect.y + rect.height - 1) >> 1, cy;
  int sum_memory[4 * CHROMA_CHUNK];
  uint16_t pixel_memory[8 * CHROMA_CHUNK];
  ChromaSums sums = { sum_memory, sum_memory + CHROMA_CHUNK,
    sum_memory + 2 * CHROMA_CHUNK, sum_memory + 3 * CHROMA_CHUNK, pixel_memory,
    pixel_memory + 2 * CHROMA_CHUNK, pixel_memory + 4 * CHROMA_CHUNK,
    pixel_memory + 6 * CHROMA_CHUNK
  };
  int yr, yg, yb, y_black;

  yuv_coeffs_init (frame->matrix, &c);
  yr = c.yr;
  yg = c.yg;
  yb = c.yb;
  y_black = c.y_black;
  for (cy = cy0; cy <= cy1; cy++) {
    int fy0 = MAX (2 * cy, rect.y), fy1 = MIN (2 * cy + 1, rect.y + rect.height - 1);
    int rows_in_frame = 2 * cy + 1 < frame->height ? 2 : 1;
    ChromaRow row = chroma_row (frame, cy);
    int k0;

    for (k0 = cx0; k0 <= cx1; k0 += CHROMA_CHUNK) {
      int cw = MIN (CHROMA_CHUNK, cx1 + 1 - k0);
      int x0 = MAX (2 * k0, rect.x), n = MIN (2 * (k0 + cw), rect.x + rect.width) - x0;
      gboolean last_is_full = k0 + cw <= cx1 || 2 * cx1 + 1 < frame->width;
      int column = ox + x0 - rect.x, fy;

      memset (sum_memory, 0, sizeof (sum_memory));
      for (fy = fy0; fy <= fy1; fy++) {
        const uint8_t *src = fb_image_row (rgb, fy - rect.y + oy) + 3 * column;
        const uint8_t *a = fb_image_row (alpha, fy - rect.y + oy) + column;
        uint8_t *luma = frame->planes[0] + (size_t) fy * frame->strides[0] + x0;
        int x;

        /* Y is linear in RGB, so blending Y equals taking Y of the blended RGB, and
         * the frame's own Y never goes through a lossy YUV -> RGB -> YUV round trip. */
        for (x = 0; x < n; x++) {
          int y_new = y_black + ((yr * src[3 * x] + yg * src[3 * x + 1]
                  + yb * src[3 * x + 2] + FIX_HALF) >> FIX);
          luma[x] = blend_u8 (y_new, a[x], luma[x]);
        }
        chroma_sums_add_row (&sums, src, a, n, x0 & 1, cw);
      }
      /* Samples whose pixels all have alpha 0 come out unchanged, so no branch. */
      if (row.step == 1)
        blend_chroma_row (&c, &sums, row.u + k0, row.v + k0, 1, cw, rows_in_frame,
            last_is_full);
      else
        blend_chroma_row (&c, &sums, row.u + 2 * k0, row.v + 2 * k0, 2, cw,
            rows_in_frame, last_is_full);
    }
  }
}

FB_VECTORISED static void
read_luma_yuv (const FbFrame * frame, FbImage * luma, int y0, int y1)
{
  gboolean limited = frame->matrix == FB_YUV_BT601_LIMITED
      || frame->matrix == FB_YUV_BT709_LIMITED;
  const int w = frame->width;
  int x, y;

  for (y = y0; y < y1; y++) {
    const uint8_t *in = frame->planes[0] + (size_t) y * frame->strides[0];
    uint8_t *out = fb_image_row (luma, y);
    if (!limited) {
      memcpy (out, in, w);
      continue;
    }
    /* round ((Y - 16) * 255 / 219) = t + round (t * 36 / 219): the 16 x 16 -> 32-bit
     * product vectorises well, and 10773 / 65536 is close enough to 36 / 219 to round
     * every t in [0, 239] exactly. */
    for (x = 0; x < w; x++) {
      uint16_t t = in[x] > 16 ? in[x] - 16 : 0;
      uint16_t v = t + (((uint32_t) t * 10773 + 32768) >> 16);
      out[x] = v > 255 ? 255 : v;
    }
  }
}

/* ------------------------------------------------------------- packed RGB */

/* Bytes per pixel and the byte offsets of R, G, B and of the alpha or padding byte
 * (-1 if none) in the pixel. */
#define LAYOUT_RGBA 4, 0, 1, 2, 3
#define LAYOUT_BGRA 4, 2, 1, 0, 3
#define LAYOUT_ARGB 4, 1, 2, 3, 0
#define LAYOUT_ABGR 4, 3, 2, 1, 0
#define LAYOUT_RGB 3, 0, 1, 2, -1
#define LAYOUT_BGR 3, 2, 1, 0, -1

/* Calls FUNC (args..., layout) with the literal layout of a packed format. */
#define DISPATCH_PACKED(format, FUNC, ...)                                   \
  switch (format) {                                                          \
    case FB_FORMAT_RGBA: case FB_FORMAT_RGBX:                                \
      FUNC (__VA_ARGS__, LAYOUT_RGBA); break;                                \
    case FB_FORMAT_BGRA: case FB_FORMAT_BGRX:                                \
      FUNC (__VA_ARGS__, LAYOUT_BGRA); break;                                \
    case FB_FORMAT_ARGB: case FB_FORMAT_XRGB:                                \
      FUNC (__VA_ARGS__, LAYOUT_ARGB); break;                                \
    case FB_FORMAT_ABGR: case FB_FORMAT_XBGR:                                \
      FUNC (__VA_ARGS__, LAYOUT_ABGR); break;                                \
    case FB_FORMAT_RGB:                                                      \
      FUNC (__VA_ARGS__, LAYOUT_RGB); break;                                 \
    case FB_FORMAT_BGR:                                                      \
      FUNC (__VA_ARGS__, LAYOUT_BGR); break;                                 \
    default:                                                                 \
      g_assert_not_reached ();                                               \
  }

static G_ALWAYS_INLINE inline void
read_rgb_packed (const FbFrame * frame, FbRect rect, FbImage * out,
    const int bpp, const int ro, const int go, const int bo, const int eo)
{
  int x, y;

  for (y = 0; y < rect.height; y++) {
    const uint8_t *in = frame->planes[0] + (size_t) (rect.y + y) * frame->strides[0]
        + (size_t) rect.x * bpp;
    uint8_t *o = fb_image_row (out, y);
    for (x = 0; x < rect.width; x++) {
      o[3 * x + 0] = in[bpp * x + ro];
      o[3 * x + 1] = in[bpp * x + go];
      o[3 * x + 2] = in[bpp * x + bo];
    }
  }
}

static G_ALWAYS_INLINE inline void
blend_packed (FbFrame * frame, FbRect rect, int ox, int oy, const FbImage * rgb,
    const FbImage * alpha, const int bpp, const int ro, const int go, const int bo,
    const int eo)
{
  int x, y;

  for (y = 0; y < rect.height; y++) {
    uint8_t *f = frame->planes[0] + (size_t) (rect.y + y) * frame->strides[0]
        + (size_t) rect.x * bpp;
    const uint8_t *src = fb_image_row (rgb, oy + y) + 3 * ox;
    const uint8_t *a = fb_image_row (alpha, oy + y) + ox;
    for (x = 0; x < rect.width; x++) {
      f[bpp * x + ro] = blend_u8 (src[3 * x + 0], a[x], f[bpp * x + ro]);
      f[bpp * x + go] = blend_u8 (src[3 * x + 1], a[x], f[bpp * x + go]);
      f[bpp * x + bo] = blend_u8 (src[3 * x + 2], a[x], f[bpp * x + bo]);
      /* Rewriting the fourth byte unchanged (alpha 0 is exact) completes the group of
       * stores, which the vectoriser needs; the compiler cannot drop it as a no-op. */
      if (eo >= 0)
        f[bpp * x + eo] = blend_u8 (0, 0, f[bpp * x + eo]);
    }
  }
}

/* The Rec.601 weights of fb_image_rgb_to_luma. */
static G_ALWAYS_INLINE inline void
read_luma_packed (const FbFrame * frame, FbImage * luma, int y0, int y1,
    const int bpp, const int ro, const int go, const int bo, const int eo)
{
  const int w = frame->width;
  int x, y;

  for (y = y0; y < y1; y++) {
    const uint8_t *in = frame->planes[0] + (size_t) y * frame->strides[0];
    uint8_t *out = fb_image_row (luma, y);
    /* 16-bit arithmetic is exact here (at most 256 * 255 + 128) and twice as wide. */
    for (x = 0; x < w; x++)
      out[x] = (uint16_t) (77 * in[bpp * x + ro] + 150 * in[bpp * x + go]
          + 29 * in[bpp * x + bo] + 128) >> 8;
  }
}

FB_VECTORISED static void
read_rgb_packed_any (const FbFrame * frame, FbRect rect, FbImage * out)
{
  DISPATCH_PACKED (frame->format, read_rgb_packed, frame, rect, out);
}

FB_VECTORISED static void
blend_packed_any (FbFrame * frame, FbRect rect, int ox, int oy, const FbImage * rgb,
    const FbImage * alpha)
{
  DISPATCH_PACKED (frame->format, blend_packed, frame, rect, ox, oy, rgb, alpha);
}

FB_VECTORISED static void
read_luma_packed_any (const FbFrame * frame, FbImage * luma, int y0, int y1)
{
  DISPATCH_PACKED (frame->format, read_luma_packed, frame, luma, y0, y1);
}

/* ------------------------------------------------------------- public */

void
fb_frame_read_rgb (const FbFrame * frame, FbRect rect, FbImage ** rgb)
{
  g_return_if_fail (frame != NULL && rgb != NULL);
  g_return_if_fail (rect.x >= 0 && rect.y >= 0 && rect.width > 0 && rect.height > 0
      && rect.x + rect.width <= frame->width && rect.y + rect.height <= frame->height);

  fb_image_ensure (rgb, rect.width, rect.height, 3);
  if (format_is_yuv (frame->format))
    read_rgb_yuv (frame, rect, *rgb);
  else
    read_rgb_packed_any (frame, rect, *rgb);
}

void
fb_frame_blend_rgb (FbFrame * frame, FbRect rect, const FbImage * rgb,
    const FbImage * alpha)
{
  FbRect whole = { 0, 0, 0, 0 }, clip;
  int ox, oy;

  g_return_if_fail (frame != NULL && rgb != NULL && alpha != NULL);
  g_return_if_fail (rgb->channels == 3 && alpha->channels == 1);
  g_return_if_fail (rgb->width == rect.width && rgb->height == rect.height);
  g_return_if_fail (alpha->width == rect.width && alpha->height == rect.height);

  /* A face at the border gives a rect that reaches out of the frame. */
  whole.width = frame->width;
  whole.height = frame->height;
  clip = fb_rect_intersect (rect, whole);
  if (clip.width == 0 || clip.height == 0)
    return;
  ox = clip.x - rect.x;
  oy = clip.y - rect.y;
  if (format_is_yuv (frame->format))
    blend_yuv (frame, clip, ox, oy, rgb, alpha);
  else
    blend_packed_any (frame, clip, ox, oy, rgb, alpha);
}

typedef struct {
  const FbFrame *frame;
  FbImage *luma;
} LumaJob;

static void
luma_job (void *data, int index, int count)
{
  LumaJob *job = data;
  int y0, y1;

  fb_band_rows (job->frame->height, index, count, &y0, &y1);
  if (format_is_yuv (job->frame->format))
    read_luma_yuv (job->frame, job->luma, y0, y1);
  else
    read_luma_packed_any (job->frame, job->luma, y0, y1);
}

void
fb_frame_read_luma (FbWorkers * workers, const FbFrame * frame, FbImage ** luma)
{
  LumaJob job = { frame };

  g_return_if_fail (workers != NULL && frame != NULL && luma != NULL);

  fb_image_ensure (luma, frame->width, frame->height, 1);
  job.luma = *luma;
  fb_workers_run (workers, luma_job, &job, fb_band_count (workers, frame->height));
}

void
fb_frame_mark_points (FbFrame * frame, const FbPoint * points, int n)
{
  static FbImage *dot_rgb, *dot_alpha;
  FbRect bounds = { 0, 0, frame->width, frame->height };
  int i;

  if (g_once_init_enter (&dot_alpha)) {
    FbImage *alpha = fb_image_new (3, 3, 1);
    dot_rgb = fb_image_new (3, 3, 3);
    memset (alpha->data, 255, 9);
    for (i = 0; i < 9; i++) {
      dot_rgb->data[3 * i] = 255;
      dot_rgb->data[3 * i + 1] = 40;
      dot_rgb->data[3 * i + 2] = 40;
    }
    g_once_init_leave (&dot_alpha, alpha);
  }
  for (i = 0; i < n; i++) {
    FbRect dot = { (int) points[i].x - 1, (int) points[i].y - 1, 3, 3 };
    FbRect inside = fb_rect_intersect (dot, bounds);
    if (inside.width == 3 && inside.height == 3)
      fb_frame_blend_rgb (frame, dot, dot_rgb, dot_alpha);
  }
}
