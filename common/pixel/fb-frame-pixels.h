/* faceblit — the pixels of a video frame: its formats, the luma of a pixel for
 * tracking, blending a colour into a pixel (or, for subsampled chroma, into a chroma
 * sample and its luma pixels) and the landmark dots; written once for the CPU loops of
 * fb-frame.c and the CUDA kernels.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-geometry.h"
#include "fb-hostdevice.h"

typedef enum {
  FB_FORMAT_RGBA, FB_FORMAT_BGRA, FB_FORMAT_ARGB, FB_FORMAT_ABGR,
  FB_FORMAT_RGBX, FB_FORMAT_BGRX, FB_FORMAT_XRGB, FB_FORMAT_XBGR,
  FB_FORMAT_RGB, FB_FORMAT_BGR,
  FB_FORMAT_I420, FB_FORMAT_NV12, FB_FORMAT_NV21,
  FB_FORMAT_YUY2, FB_FORMAT_UYVY,
  FB_FORMAT_GRAY8,
  FB_FORMAT_I420_10LE, FB_FORMAT_P010_10LE,
} FbFormat;

#define FB_N_FORMATS (FB_FORMAT_P010_10LE + 1)

/* How YUV formats encode colour (ignored for RGB formats; GRAY8 takes the luma weights
 * and range). */
typedef enum {
  FB_YUV_BT601_LIMITED, FB_YUV_BT601_FULL,
  FB_YUV_BT709_LIMITED, FB_YUV_BT709_FULL,
} FbYuvMatrix;

/* Where a frame's planes are. */
typedef enum {
  FB_MEMORY_HOST,
  FB_MEMORY_CUDA,               /* device addresses (CUdeviceptr) of the CUDA backend's GPU */
} FbMemory;

/* A mapped frame: planes and strides as GstVideoFrame gives them. Only the CUDA backend
 * takes frames in FB_MEMORY_CUDA. */
typedef struct {
  FbFormat format;
  FbYuvMatrix matrix;
  int width;
  int height;
  uint8_t *planes[3];
  int strides[3];
  FbMemory memory;
} FbFrame;

/* Every format after the packed RGB ones: luma and chroma samples (GRAY8: luma only). */
FB_FUNC int
fb_format_is_yuv (FbFormat format)
{
  return format >= FB_FORMAT_I420;
}

FB_FUNC int
fb_yuv_matrix_is_limited (FbYuvMatrix matrix)
{
  return matrix == FB_YUV_BT601_LIMITED || matrix == FB_YUV_BT709_LIMITED;
}

/* ------------------------------------------------------------- packed layouts */

/* Bytes per pixel and the byte offsets of R, G, B and of the alpha or padding byte
 * (-1 if none) in the pixel. */
#define FB_LAYOUT_RGBA 4, 0, 1, 2, 3
#define FB_LAYOUT_BGRA 4, 2, 1, 0, 3
#define FB_LAYOUT_ARGB 4, 1, 2, 3, 0
#define FB_LAYOUT_ABGR 4, 3, 2, 1, 0
#define FB_LAYOUT_RGB 3, 0, 1, 2, -1
#define FB_LAYOUT_BGR 3, 2, 1, 0, -1

/* Calls FUNC (args..., layout) with the literal layout of a packed format, so that the
 * CPU loops get a copy with constant offsets per layout; nothing for YUV formats.
 * FUNC may be a macro: FB_CALL expands the layout into its arguments first. */
#define FB_CALL(FUNC, ...) FUNC (__VA_ARGS__)
#define FB_DISPATCH_PACKED(format, FUNC, ...)                                \
  switch (format) {                                                          \
    case FB_FORMAT_RGBA: case FB_FORMAT_RGBX:                                \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_RGBA); break;                    \
    case FB_FORMAT_BGRA: case FB_FORMAT_BGRX:                                \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_BGRA); break;                    \
    case FB_FORMAT_ARGB: case FB_FORMAT_XRGB:                                \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_ARGB); break;                    \
    case FB_FORMAT_ABGR: case FB_FORMAT_XBGR:                                \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_ABGR); break;                    \
    case FB_FORMAT_RGB:                                                      \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_RGB); break;                     \
    case FB_FORMAT_BGR:                                                      \
      FB_CALL (FUNC, __VA_ARGS__, FB_LAYOUT_BGR); break;                     \
    default:                                                                 \
      break;                                                                 \
  }

/* A packed layout as values, for code that takes the format at run time (kernels). */
typedef struct {
  int bpp;
  int r;
  int g;
  int b;
  int extra;
} FbPackedLayout;

#define FB_PACKED_LAYOUT_STORE(l, bpp_, r_, g_, b_, extra_) \
  ((l)->bpp = (bpp_), (l)->r = (r_), (l)->g = (g_), (l)->b = (b_), (l)->extra = (extra_))

/* bpp 0 for YUV formats. */
FB_FUNC FbPackedLayout
fb_packed_layout (FbFormat format)
{
  FbPackedLayout l = { 0, 0, 0, 0, -1 };

  FB_DISPATCH_PACKED (format, FB_PACKED_LAYOUT_STORE, &l);
  return l;
}

FB_FUNC uint8_t *
fb_frame_pixel (const FbFrame * frame, int bpp, int x, int y)
{
  return frame->planes[0] + (size_t) y * frame->strides[0] + (size_t) x * bpp;
}

/* ------------------------------------------------------------- YUV layouts */

/* Where one component's samples lie: sample i of row r at
 * planes[plane] + r * strides[plane] + offset + i * step. */
typedef struct {
  int plane;
  int offset;
  int step;
} FbSamplePlace;

/* The samples of a YUV format. Chroma sample (cx, cy) is shared by the pixels (x, y)
 * with x >> chroma_x_shift == cx and y >> chroma_y_shift == cy: 2 x 2 of them for
 * 4:2:0, the 2 x 1 of a macropixel for packed 4:2:2, and just (cx, cy) for GRAY8,
 * which has no chroma. Deep formats store each value in a 16-bit little-endian word,
 * `shift` bits above its least significant bit (P010 keeps it in the top 10 bits). */
typedef struct {
  FbSamplePlace y, u, v;
  int chroma;
  int chroma_x_shift;
  int chroma_y_shift;
  int wide;
  int shift;
  int depth;                    /* bits of a value: 8 or 10 */
} FbYuvLayout;

FB_FUNC FbSamplePlace
fb_sample_place (int plane, int offset, int step)
{
  FbSamplePlace s;

  s.plane = plane;
  s.offset = offset;
  s.step = step;
  return s;
}

/* Packed 4:2:2: macropixels of four bytes, Y of the two pixels and their U and V at
 * these offsets. */
FB_FUNC void
fb_yuv_layout_set_422 (FbYuvLayout * l, int y0, int u, int v)
{
  l->y = fb_sample_place (0, y0, 2);
  l->u = fb_sample_place (0, u, 4);
  l->v = fb_sample_place (0, v, 4);
  l->chroma_y_shift = 0;
}

/* Meaningless for packed RGB formats. */
FB_FUNC FbYuvLayout
fb_yuv_layout (FbFormat format)
{
  FbYuvLayout l;

  /* I420 */
  l.y = fb_sample_place (0, 0, 1);
  l.u = fb_sample_place (1, 0, 1);
  l.v = fb_sample_place (2, 0, 1);
  l.chroma = 1;
  l.chroma_x_shift = l.chroma_y_shift = 1;
  l.wide = l.shift = 0;
  l.depth = 8;
  switch (format) {
    case FB_FORMAT_NV12:
      l.u = fb_sample_place (1, 0, 2);
      l.v = fb_sample_place (1, 1, 2);
      break;
    case FB_FORMAT_NV21:
      l.u = fb_sample_place (1, 1, 2);
      l.v = fb_sample_place (1, 0, 2);
      break;
    case FB_FORMAT_YUY2:       /* Y0 U Y1 V */
      fb_yuv_layout_set_422 (&l, 0, 1, 3);
      break;
    case FB_FORMAT_UYVY:       /* U Y0 V Y1 */
      fb_yuv_layout_set_422 (&l, 1, 0, 2);
      break;
    case FB_FORMAT_GRAY8:
      l.u = l.v = l.y;
      l.chroma = 0;
      l.chroma_x_shift = l.chroma_y_shift = 0;
      break;
    case FB_FORMAT_I420_10LE:
      l.y.step = l.u.step = l.v.step = 2;
      l.wide = 1;
      l.depth = 10;
      break;
    case FB_FORMAT_P010_10LE:
      l.y = fb_sample_place (0, 0, 2);
      l.u = fb_sample_place (1, 0, 4);
      l.v = fb_sample_place (1, 2, 4);
      l.wide = 1;
      l.shift = 6;
      l.depth = 10;
      break;
    default:
      break;
  }
  return l;
}

FB_FUNC uint8_t *
fb_sample_address (const FbFrame * frame, FbSamplePlace s, int i, int row)
{
  return frame->planes[s.plane] + (size_t) row * frame->strides[s.plane] + s.offset
      + (size_t) i * s.step;
}

/* The value at p; bits of a word outside the value are ignored. */
FB_FUNC int
fb_sample_get (const FbYuvLayout * l, const uint8_t * p)
{
  if (!l->wide)
    return p[0];
  return ((p[0] | p[1] << 8) >> l->shift) & ((1 << l->depth) - 1);
}

/* Writes value (0 .. 2^depth - 1); a word's bits outside it become 0. */
FB_FUNC void
fb_sample_put (const FbYuvLayout * l, uint8_t * p, int value)
{
  int word = value << l->shift;

  p[0] = (uint8_t) (word & 255);
  if (l->wide)
    p[1] = (uint8_t) (word >> 8);
}

/* Pixel k = 2 dy + dx (k < 4) of chroma sample (cx, cy) in (*x, *y); whether the
 * sample has such a pixel (frame borders aside). */
FB_FUNC int
fb_chroma_block_pixel (const FbYuvLayout * l, int cx, int cy, int k, int *x, int *y)
{
  int dx = k & 1, dy = k >> 1;

  *x = (cx << l->chroma_x_shift) + dx;
  *y = (cy << l->chroma_y_shift) + dy;
  return dx < 1 << l->chroma_x_shift && dy < 1 << l->chroma_y_shift;
}

/* The code of black and the spans of luma and chroma codes for a depth, as
 * GStreamer's gst_video_color_range_offsets gives them: limited range scales the
 * 8-bit 16..235 and 16..240 by 2^(depth - 8), full range uses every code. */
FB_FUNC int
fb_yuv_black (int depth, int limited)
{
  return limited ? 16 << (depth - 8) : 0;
}

FB_FUNC int
fb_yuv_luma_span (int depth, int limited)
{
  return limited ? 219 << (depth - 8) : (1 << depth) - 1;
}

FB_FUNC int
fb_yuv_chroma_span (int depth, int limited)
{
  return limited ? 224 << (depth - 8) : (1 << depth) - 1;
}

/* ------------------------------------------------------------- luma for tracking */

/* Full-range luma of a packed pixel at p: the Rec.601 weights of fb_image_rgb_to_luma.
 * 16-bit arithmetic is exact here (at most 256 * 255 + 128), and twice as wide in
 * vectors. */
FB_FUNC uint8_t
fb_packed_luma (const uint8_t * p, int r, int g, int b)
{
  return (uint16_t) (77 * p[r] + 150 * p[g] + 29 * p[b] + 128) >> 8;
}

/* round ((Y - 16) * 255 / 219) = t + round (t * 36 / 219): the 16 x 16 -> 32-bit
 * product vectorises well, and 10773 / 65536 is close enough to 36 / 219 to round
 * every t in [0, 239] exactly. */
FB_FUNC uint8_t
fb_limited_luma_to_full (uint8_t y)
{
  uint16_t t = y > 16 ? y - 16 : 0;
  uint16_t v = t + (((uint32_t) t * 10773 + 32768) >> 16);

  return v > 255 ? 255 : v;
}

/* round ((y - black) * 255 / span), clamped: a luma code of any depth as full-range
 * 8 bits. fb_limited_luma_to_full is the same for 8-bit limited range, and 8-bit full
 * range is the code itself. */
FB_FUNC uint8_t
fb_yuv_luma_to_full (int y, int depth, int limited)
{
  int black = fb_yuv_black (depth, limited), span = fb_yuv_luma_span (depth, limited);
  int t = y > black ? y - black : 0, v = (t * 510 + span) / (2 * span);

  return v > 255 ? 255 : (uint8_t) v;
}

/* Full-range luma of pixel (x, y) of the frame (0..255). */
FB_FUNC uint8_t
fb_frame_luma_at (const FbFrame * frame, int x, int y)
{
  FbPackedLayout l = fb_packed_layout (frame->format);
  FbYuvLayout yuv;
  int limited = fb_yuv_matrix_is_limited (frame->matrix), luma;

  if (l.bpp)
    return fb_packed_luma (fb_frame_pixel (frame, l.bpp, x, y), l.r, l.g, l.b);
  yuv = fb_yuv_layout (frame->format);
  luma = fb_sample_get (&yuv, fb_sample_address (frame, yuv.y, x, y));
  if (yuv.depth > 8)
    return fb_yuv_luma_to_full (luma, yuv.depth, limited);
  return limited ? fb_limited_luma_to_full ((uint8_t) luma) : (uint8_t) luma;
}

/* ------------------------------------------------------------- blending */

/* round (x / 255) for x in [0, 255 * 255]; 16 bits suffice, so vectors hold 8 lanes. */
FB_FUNC uint8_t
fb_div255 (uint16_t x)
{
  x += 128;
  return (uint16_t) (x + (x >> 8)) >> 8;
}

/* Alpha 0 gives `under` exactly. */
FB_FUNC uint8_t
fb_blend_u8 (uint8_t value, uint8_t alpha, uint8_t under)
{
  return fb_div255 ((uint16_t) (value * alpha + under * (255 - alpha)));
}

/* fb_blend_u8 for samples of any depth: round ((value alpha + under (255 - alpha)) /
 * 255), in 32 bits for deep samples. */
FB_FUNC int
fb_blend_sample (const FbYuvLayout * l, int value, int alpha, int under)
{
  if (!l->wide)
    return fb_blend_u8 ((uint8_t) value, (uint8_t) alpha, (uint8_t) under);
  return (value * alpha + under * (255 - alpha) + 127) / 255;
}

/* Blends rgb into the packed pixel at p; the alpha or padding byte is kept. */
FB_FUNC void
fb_packed_blend (uint8_t * p, int r, int g, int b, int extra, const uint8_t * rgb,
    uint8_t alpha)
{
  p[r] = fb_blend_u8 (rgb[0], alpha, p[r]);
  p[g] = fb_blend_u8 (rgb[1], alpha, p[g]);
  p[b] = fb_blend_u8 (rgb[2], alpha, p[b]);
  /* Rewriting the fourth byte unchanged (alpha 0 is exact) completes the group of
   * stores, which the vectoriser needs; the compiler cannot drop it as a no-op. */
  if (extra >= 0)
    p[extra] = fb_blend_u8 (0, 0, p[extra]);
}

#define FB_YUV_FIX 16
#define FB_YUV_FIX_HALF (1 << (FB_YUV_FIX - 1))

/* 16-bit fixed-point coefficients of one matrix, range and depth, both directions,
 * between 8-bit RGB and codes of that depth. */
typedef struct {
  int yr, yg, yb, y_black;      /* Y = y_black + (yr R + yg G + yb B) */
  int ur, ug, ub;               /* U = chroma_mid + (ur R + ug G + ub B), likewise V */
  int vr, vg, vb;
  int chroma_mid;               /* the code of zero chroma, 2^(depth - 1) */
  int max;                      /* the largest code, 2^depth - 1 */
  int y_gain;                   /* R' = y_gain (Y - y_black) */
  int rv, gu, gv, bu;           /* R = R' + rv V', G = R' - gu U' - gv V', B = R' + bu U' */
} FbYuvCoeffs;

FB_FUNC int
fb_yuv_fix (double v)
{
  return (int) (v * (1 << FB_YUV_FIX) + (v < 0 ? -0.5 : 0.5));
}

FB_FUNC void
fb_yuv_coeffs_init (FbYuvMatrix matrix, int depth, FbYuvCoeffs * c)
{
  int bt709 = matrix == FB_YUV_BT709_LIMITED || matrix == FB_YUV_BT709_FULL;
  int limited = fb_yuv_matrix_is_limited (matrix);
  double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
  double sy = fb_yuv_luma_span (depth, limited) / 255.0;
  double sc = fb_yuv_chroma_span (depth, limited) / 255.0;
  double cb = sc / (2 * (1 - kb)), cr = sc / (2 * (1 - kr));

  /* The middle coefficient of each row absorbs the rounding, so that grey maps to
   * U = V = 128 exactly and white to full-scale Y. */
  c->yr = fb_yuv_fix (sy * kr);
  c->yb = fb_yuv_fix (sy * kb);
  c->yg = fb_yuv_fix (sy) - c->yr - c->yb;
  c->y_black = fb_yuv_black (depth, limited);
  c->chroma_mid = 1 << (depth - 1);
  c->max = (1 << depth) - 1;
  c->ur = fb_yuv_fix (-cb * kr);
  c->ub = fb_yuv_fix (sc / 2);
  c->ug = -c->ur - c->ub;
  c->vr = fb_yuv_fix (sc / 2);
  c->vb = fb_yuv_fix (-cr * kb);
  c->vg = -c->vr - c->vb;

  c->y_gain = fb_yuv_fix (1 / sy);
  c->rv = fb_yuv_fix (2 * (1 - kr) / sc);
  c->bu = fb_yuv_fix (2 * (1 - kb) / sc);
  c->gu = fb_yuv_fix (2 * (1 - kb) * kb / (kg * sc));
  c->gv = fb_yuv_fix (2 * (1 - kr) * kr / (kg * sc));
}

FB_FUNC uint8_t
fb_clamp_u8 (int v)
{
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t) v;
}

/* The 8-bit RGB of codes (y, u, v). */
FB_FUNC void
fb_yuv_to_rgb (const FbYuvCoeffs * c, int y, int u, int v, uint8_t * rgb)
{
  int l = (y - c->y_black) * c->y_gain + FB_YUV_FIX_HALF;
  int du = u - c->chroma_mid, dv = v - c->chroma_mid;

  rgb[0] = fb_clamp_u8 ((l + c->rv * dv) >> FB_YUV_FIX);
  rgb[1] = fb_clamp_u8 ((l - c->gu * du - c->gv * dv) >> FB_YUV_FIX);
  rgb[2] = fb_clamp_u8 ((l + c->bu * du) >> FB_YUV_FIX);
}

/* Y of a colour. Y is linear in RGB, so blending Y equals taking Y of the blended RGB,
 * and the frame's own Y never goes through a lossy YUV -> RGB -> YUV round trip. */
FB_FUNC int
fb_yuv_luma_of_rgb (int yr, int yg, int yb, int y_black, int r, int g, int b)
{
  return y_black + ((yr * r + yg * g + yb * b + FB_YUV_FIX_HALF) >> FB_YUV_FIX);
}

/* Blends a chroma sample covering `full` / 255 frame pixels: the mean of their blended
 * colours, those outside what is blended keeping the frame's colour (alpha 0). By
 * linearity that is the chroma of the alpha-weighted colour sum (sa = sum of alpha, sr
 * = sum of alpha R, ...) plus the old chroma weighted by the rest. (cr, cg, cb): the
 * row of U or V in FbYuvCoeffs, mid its chroma_mid and max its max. Coefficients are
 * 16-bit fixed point; double keeps every term exact (so a fused multiply-add changes
 * nothing) and divides faster than 64-bit integers. sa = 0 gives `old` exactly. */
FB_FUNC int
fb_yuv_blend_chroma (int cr, int cg, int cb, int mid, int max, int sa, int sr, int sg,
    int sb, int old, int full)
{
  double weighted = (double) mid * sa + ((double) cr * sr + (double) cg * sg
      + (double) cb * sb) * (1.0 / (1 << FB_YUV_FIX));
  double v = (weighted + (double) old * (full - sa)) / full + 0.5;
  return v >= max ? max : (int) v;
}

/* Blends chroma sample (cx, cy) and its luma pixels with a colour and an alpha per
 * pixel (index k of fb_chroma_block_pixel; alpha 0 for those not blended): what
 * fb_frame_blend_rgb does to them. Pixels outside the frame are skipped; the chroma
 * changes only if some alpha is > 0. Packed 4:2:2 shares chroma between a pixel pair
 * as 4:2:0 does between four: the pair's chroma becomes the chroma of the mean of its
 * blended colours, so a face's edge neither bleeds nor fringes more in one format than
 * in another. */
FB_FUNC void
fb_yuv_blend_sample (const FbFrame * frame, const FbYuvLayout * l, const FbYuvCoeffs * c,
    int cx, int cy, const uint8_t * alpha, const uint8_t * rgb)
{
  int sa = 0, sr = 0, sg = 0, sb = 0, n = 0, k;

  for (k = 0; k < 4; k++) {
    int a = alpha[k], x, y;
    const uint8_t *p = rgb + 3 * k;
    uint8_t *luma;
    if (!fb_chroma_block_pixel (l, cx, cy, k, &x, &y) || x >= frame->width
        || y >= frame->height)
      continue;
    n++;
    if (a == 0)
      continue;
    luma = fb_sample_address (frame, l->y, x, y);
    fb_sample_put (l, luma, fb_blend_sample (l, fb_yuv_luma_of_rgb (c->yr, c->yg, c->yb,
                c->y_black, p[0], p[1], p[2]), a, fb_sample_get (l, luma)));
    sa += a;
    sr += a * p[0];
    sg += a * p[1];
    sb += a * p[2];
  }
  if (sa == 0 || !l->chroma)
    return;
  {
    uint8_t *u = fb_sample_address (frame, l->u, cx, cy);
    uint8_t *v = fb_sample_address (frame, l->v, cx, cy);
    int nu = fb_yuv_blend_chroma (c->ur, c->ug, c->ub, c->chroma_mid, c->max, sa, sr, sg,
        sb, fb_sample_get (l, u), 255 * n);
    int nv = fb_yuv_blend_chroma (c->vr, c->vg, c->vb, c->chroma_mid, c->max, sa, sr, sg,
        sb, fb_sample_get (l, v), 255 * n);
    fb_sample_put (l, u, nu);
    fb_sample_put (l, v, nv);
  }
}

/* ------------------------------------------------------------- landmark dots */

/* The dot's colour, blended with alpha 255. */
#define FB_MARK_R 255
#define FB_MARK_G 40
#define FB_MARK_B 40

/* The 3 x 3 dot on point p; whether it lies wholly inside a width x height frame
 * (only those are drawn). */
FB_FUNC int
fb_mark_dot (FbPoint p, int width, int height, FbRect * dot)
{
  dot->x = (int) p.x - 1;
  dot->y = (int) p.y - 1;
  dot->width = 3;
  dot->height = 3;
  return dot->x >= 0 && dot->y >= 0 && dot->x + 3 <= width && dot->y + 3 <= height;
}
