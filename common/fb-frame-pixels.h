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
  FB_FORMAT_I420, FB_FORMAT_NV12,
} FbFormat;

/* How YUV formats encode colour (ignored for RGB formats). */
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

FB_FUNC int
fb_format_is_yuv (FbFormat format)
{
  return format == FB_FORMAT_I420 || format == FB_FORMAT_NV12;
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

/* Chroma planes of a YUV frame: U and V samples of chroma row cy start at u and v
 * and lie `step` bytes apart (1 for I420, 2 for interleaved NV12). */
typedef struct {
  uint8_t *u;
  uint8_t *v;
  int step;
} FbChromaRow;

FB_FUNC FbChromaRow
fb_frame_chroma_row (const FbFrame * frame, int cy)
{
  FbChromaRow r;

  r.u = frame->planes[1] + (size_t) cy * frame->strides[1];
  if (frame->format == FB_FORMAT_NV12) {
    r.v = r.u + 1;
    r.step = 2;
  } else {
    r.v = frame->planes[2] + (size_t) cy * frame->strides[2];
    r.step = 1;
  }
  return r;
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

/* Full-range luma of pixel (x, y) of the frame (0..255). */
FB_FUNC uint8_t
fb_frame_luma_at (const FbFrame * frame, int x, int y)
{
  FbPackedLayout l = fb_packed_layout (frame->format);
  uint8_t luma;

  if (l.bpp)
    return fb_packed_luma (fb_frame_pixel (frame, l.bpp, x, y), l.r, l.g, l.b);
  luma = *fb_frame_pixel (frame, 1, x, y);
  return fb_yuv_matrix_is_limited (frame->matrix) ? fb_limited_luma_to_full (luma) : luma;
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

/* 16-bit fixed-point coefficients of one matrix and range, both directions. */
typedef struct {
  int yr, yg, yb, y_black;      /* Y = y_black + (yr R + yg G + yb B) */
  int ur, ug, ub;               /* U = 128 + (ur R + ug G + ub B), likewise V */
  int vr, vg, vb;
  int y_gain;                   /* R' = y_gain (Y - y_black) */
  int rv, gu, gv, bu;           /* R = R' + rv V', G = R' - gu U' - gv V', B = R' + bu U' */
} FbYuvCoeffs;

FB_FUNC int
fb_yuv_fix (double v)
{
  return (int) (v * (1 << FB_YUV_FIX) + (v < 0 ? -0.5 : 0.5));
}

FB_FUNC void
fb_yuv_coeffs_init (FbYuvMatrix matrix, FbYuvCoeffs * c)
{
  int bt709 = matrix == FB_YUV_BT709_LIMITED || matrix == FB_YUV_BT709_FULL;
  int limited = fb_yuv_matrix_is_limited (matrix);
  double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
  double sy = limited ? 219.0 / 255 : 1, sc = limited ? 224.0 / 255 : 1;
  double cb = sc / (2 * (1 - kb)), cr = sc / (2 * (1 - kr));

  /* The middle coefficient of each row absorbs the rounding, so that grey maps to
   * U = V = 128 exactly and white to full-scale Y. */
  c->yr = fb_yuv_fix (sy * kr);
  c->yb = fb_yuv_fix (sy * kb);
  c->yg = fb_yuv_fix (sy) - c->yr - c->yb;
  c->y_black = limited ? 16 : 0;
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

/* Y of a colour. Y is linear in RGB, so blending Y equals taking Y of the blended RGB,
 * and the frame's own Y never goes through a lossy YUV -> RGB -> YUV round trip. */
FB_FUNC uint8_t
fb_yuv_luma_of_rgb (int yr, int yg, int yb, int y_black, int r, int g, int b)
{
  return y_black + ((yr * r + yg * g + yb * b + FB_YUV_FIX_HALF) >> FB_YUV_FIX);
}

/* Blends a chroma sample covering `full` / 255 frame pixels: the mean of their blended
 * colours, those outside what is blended keeping the frame's colour (alpha 0). By
 * linearity that is the chroma of the alpha-weighted colour sum (sa = sum of alpha, sr
 * = sum of alpha R, ...) plus the old chroma weighted by the rest. (cr, cg, cb): the
 * row of U or V in FbYuvCoeffs. Coefficients are 16-bit fixed point; double keeps every
 * term exact (so a fused multiply-add changes nothing) and divides faster than 64-bit
 * integers. sa = 0 gives `old` exactly. */
FB_FUNC uint8_t
fb_yuv_blend_chroma (int cr, int cg, int cb, int sa, int sr, int sg, int sb, int old,
    int full)
{
  double weighted = 128.0 * sa + ((double) cr * sr + (double) cg * sg
      + (double) cb * sb) * (1.0 / (1 << FB_YUV_FIX));
  double v = (weighted + (double) old * (full - sa)) / full + 0.5;
  return v >= 255 ? 255 : (uint8_t) v;
}

/* Blends chroma sample (cx, cy) and its luma pixels with a colour and an alpha per
 * pixel (index 2 dy + dx for pixel (2 cx + dx, 2 cy + dy); alpha 0 for those not
 * blended): what fb_frame_blend_rgb does to them. Pixels outside the frame are
 * skipped; the chroma changes only if some alpha is > 0. */
FB_FUNC void
fb_yuv_blend_sample (const FbFrame * frame, const FbYuvCoeffs * c, int cx, int cy,
    const uint8_t * alpha, const uint8_t * rgb)
{
  int cols = 2 * cx + 1 < frame->width ? 2 : 1, rows = 2 * cy + 1 < frame->height ? 2 : 1;
  int sa = 0, sr = 0, sg = 0, sb = 0, dx, dy;
  FbChromaRow row;

  for (dy = 0; dy < rows; dy++)
    for (dx = 0; dx < cols; dx++) {
      int k = 2 * dy + dx, a = alpha[k];
      const uint8_t *p = rgb + 3 * k;
      uint8_t *luma;
      if (a == 0)
        continue;
      luma = fb_frame_pixel (frame, 1, 2 * cx + dx, 2 * cy + dy);
      *luma = fb_blend_u8 (fb_yuv_luma_of_rgb (c->yr, c->yg, c->yb, c->y_black, p[0],
              p[1], p[2]), a, *luma);
      sa += a;
      sr += a * p[0];
      sg += a * p[1];
      sb += a * p[2];
    }
  if (sa == 0)
    return;
  row = fb_frame_chroma_row (frame, cy);
  {
    uint8_t *u = row.u + row.step * cx, *v = row.v + row.step * cx;
    uint8_t nu = fb_yuv_blend_chroma (c->ur, c->ug, c->ub, sa, sr, sg, sb, *u,
        255 * rows * cols);
    uint8_t nv = fb_yuv_blend_chroma (c->vr, c->vg, c->vb, sa, sr, sg, sb, *v,
        255 * rows * cols);
    *u = nu;
    *v = nv;
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
