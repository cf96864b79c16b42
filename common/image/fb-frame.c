/* faceblit — read and write regions of a video frame in any supported format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-frame.h"

#include <string.h>

#include "fb-vectorised.h"

/* The per-pixel loops below are written for the auto-vectoriser: each packed layout gets
 * its own copy of the loop with constant channel offsets (the G_ALWAYS_INLINE helpers
 * called with literal arguments), blends stay in 16-bit lanes, and YUV chroma goes
 * through per-pixel rows so the colour maths runs over contiguous arrays. */

/* ------------------------------------------------------------- YUV */

/* Reading back is for tests and tools, so one pixel at a time, in every YUV format. */
static void
read_rgb_yuv (const FbFrame * frame, FbRect rect, FbImage * out)
{
  FbYuvLayout l = fb_yuv_layout (frame->format);
  FbYuvCoeffs c;
  int x, y;

  fb_yuv_coeffs_init (frame->matrix, l.depth, &c);
  for (y = 0; y < rect.height; y++) {
    int fy = rect.y + y, cy = fy >> l.chroma_y_shift;
    uint8_t *o = fb_image_row (out, y);
    for (x = 0; x < rect.width; x++) {
      int fx = rect.x + x, cx = fx >> l.chroma_x_shift;
      int u = l.chroma ? fb_sample_get (&l, fb_sample_address (frame, l.u, cx, cy))
          : c.chroma_mid;
      int v = l.chroma ? fb_sample_get (&l, fb_sample_address (frame, l.v, cx, cy))
          : c.chroma_mid;
      fb_yuv_to_rgb (&c, fb_sample_get (&l, fb_sample_address (frame, l.y, fx, fy)), u, v,
          o + 3 * x);
    }
  }
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

/* Blends the `cw` chroma samples of one row, `step` bytes apart; each covers two
 * columns of `rows` frame pixels, the last only one column unless `last_is_full`. */
static G_ALWAYS_INLINE inline void
blend_chroma_row (const FbYuvCoeffs * c, const ChromaSums * sums, uint8_t * u, uint8_t * v,
    const int step, int cw, int rows, gboolean last_is_full)
{
  const int ur = c->ur, ug = c->ug, ub = c->ub, vr = c->vr, vg = c->vg, vb = c->vb;
  const int mid = c->chroma_mid, max = c->max;
  const int full = 2 * 255 * rows, last = (last_is_full ? 2 : 1) * 255 * rows;
  const int *restrict sa = sums->a, *restrict sr = sums->r, *restrict sg = sums->g;
  const int *restrict sb = sums->b;
  int i;

  for (i = 0; i < cw; i++) {
    int n = i == cw - 1 ? last : full;
    uint8_t nu = fb_yuv_blend_chroma (ur, ug, ub, mid, max, sa[i], sr[i], sg[i], sb[i],
        u[step * i], n);
    uint8_t nv = fb_yuv_blend_chroma (vr, vg, vb, mid, max, sa[i], sr[i], sg[i], sb[i],
        v[step * i], n);
    u[step * i] = nu;
    v[step * i] = nv;
  }
}

/* Chroma samples per column chunk of blend_yuv: its sums live on the stack, so
 * blending a row pair (the fused compositing calls one per pair) allocates nothing. */
#define CHROMA_CHUNK 128

/* 8-bit 4:2:0 with a plane of luma (I420, NV12, NV21), vectorised. `rect` is clipped
 * to the frame; rgb and alpha are read at (ox, oy) + (x, y). */
FB_VECTORISED static void
blend_yuv420 (FbFrame * frame, const FbYuvLayout * l, FbRect rect, int ox, int oy,
    const FbImage * rgb, const FbImage * alpha)
{
  FbYuvCoeffs c;
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

  fb_yuv_coeffs_init (frame->matrix, 8, &c);
  yr = c.yr;
  yg = c.yg;
  yb = c.yb;
  y_black = c.y_black;
  for (cy = cy0; cy <= cy1; cy++) {
    int fy0 = MAX (2 * cy, rect.y), fy1 = MIN (2 * cy + 1, rect.y + rect.height - 1);
    int rows_in_frame = 2 * cy + 1 < frame->height ? 2 : 1;
    uint8_t *u = fb_sample_address (frame, l->u, 0, cy);
    uint8_t *v = fb_sample_address (frame, l->v, 0, cy);
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

        for (x = 0; x < n; x++)
          luma[x] = fb_blend_u8 (fb_yuv_luma_of_rgb (yr, yg, yb, y_black, src[3 * x],
                  src[3 * x + 1], src[3 * x + 2]), a[x], luma[x]);
        chroma_sums_add_row (&sums, src, a, n, x0 & 1, cw);
      }
      /* Samples whose pixels all have alpha 0 come out unchanged, so no branch. */
      if (l->u.step == 1)
        blend_chroma_row (&c, &sums, u + k0, v + k0, 1, cw, rows_in_frame, last_is_full);
      else
        blend_chroma_row (&c, &sums, u + 2 * k0, v + 2 * k0, 2, cw, rows_in_frame,
            last_is_full);
    }
  }
}

/* Any other YUV layout (packed 4:2:2, grey, deep samples): chroma sample by chroma
 * sample, with the kernels' fb_yuv_blend_sample. A copy per format (a literal
 * `format`), so that the layout's fields are constants in it. */
static G_ALWAYS_INLINE inline void
blend_yuv_samples (FbFrame * frame, const FbFormat format, FbRect rect, int ox, int oy,
    const FbImage * rgb, const FbImage * alpha)
{
  const FbYuvLayout layout = fb_yuv_layout (format), *l = &layout;
  int cx0 = rect.x >> l->chroma_x_shift;
  int cx1 = (rect.x + rect.width - 1) >> l->chroma_x_shift;
  int cy0 = rect.y >> l->chroma_y_shift;
  int cy1 = (rect.y + rect.height - 1) >> l->chroma_y_shift;
  int cx, cy, k;
  FbYuvCoeffs c;

  fb_yuv_coeffs_init (frame->matrix, l->depth, &c);
  for (cy = cy0; cy <= cy1; cy++)
    for (cx = cx0; cx <= cx1; cx++) {
      uint8_t a[4] = { 0, 0, 0, 0 }, colours[12];
      for (k = 0; k < 4; k++) {
        int x, y;
        if (!fb_chroma_block_pixel (l, cx, cy, k, &x, &y) || x < rect.x
            || x >= rect.x + rect.width || y < rect.y || y >= rect.y + rect.height)
          continue;
        x += ox - rect.x;
        y += oy - rect.y;
        a[k] = fb_image_row (alpha, y)[x];
        memcpy (colours + 3 * k, fb_image_row (rgb, y) + 3 * x, 3);
      }
      fb_yuv_blend_sample (frame, l, &c, cx, cy, a, colours);
    }
}

static gboolean
is_planar_yuv420_8bit (const FbYuvLayout * l)
{
  return !l->wide && l->y.step == 1 && l->chroma && l->chroma_y_shift == 1;
}

static void
blend_yuv (FbFrame * frame, FbRect rect, int ox, int oy, const FbImage * rgb,
    const FbImage * alpha)
{
  FbYuvLayout l = fb_yuv_layout (frame->format);

#define BLEND_YUV_SAMPLES(F) \
    case F: blend_yuv_samples (frame, F, rect, ox, oy, rgb, alpha); break;
  switch (frame->format) {
    BLEND_YUV_SAMPLES (FB_FORMAT_YUY2)
    BLEND_YUV_SAMPLES (FB_FORMAT_UYVY)
    BLEND_YUV_SAMPLES (FB_FORMAT_GRAY8)
    BLEND_YUV_SAMPLES (FB_FORMAT_I420_10LE)
    BLEND_YUV_SAMPLES (FB_FORMAT_P010_10LE)
    default:
      g_assert (is_planar_yuv420_8bit (&l));
      blend_yuv420 (frame, &l, rect, ox, oy, rgb, alpha);
  }
#undef BLEND_YUV_SAMPLES
}

/* 8-bit luma `step` bytes apart from byte `offset` of each row. */
static G_ALWAYS_INLINE inline void
read_luma_8bit (const FbFrame * frame, FbImage * luma, int y0, int y1, const int offset,
    const int step)
{
  gboolean limited = fb_yuv_matrix_is_limited (frame->matrix);
  const int w = frame->width;
  int x, y;

  for (y = y0; y < y1; y++) {
    const uint8_t *in = frame->planes[0] + (size_t) y * frame->strides[0] + offset;
    uint8_t *out = fb_image_row (luma, y);
    if (!limited && step == 1) {
      memcpy (out, in, w);
      continue;
    }
    if (!limited) {
      for (x = 0; x < w; x++)
        out[x] = in[step * x];
      continue;
    }
    for (x = 0; x < w; x++)
      out[x] = fb_limited_luma_to_full (in[step * x]);
  }
}

/* Deep luma through a table of every code's fb_yuv_luma_to_full. */
static void
read_luma_deep (const FbFrame * frame, const FbYuvLayout * l, FbImage * luma, int y0,
    int y1)
{
  gboolean limited = fb_yuv_matrix_is_limited (frame->matrix);
  uint8_t table[1 << 10];
  int x, y;

  g_assert (l->depth <= 10);
  for (x = 0; x < 1 << l->depth; x++)
    table[x] = fb_yuv_luma_to_full (x, l->depth, limited);
  for (y = y0; y < y1; y++) {
    const uint8_t *in = fb_sample_address (frame, l->y, 0, y);
    uint8_t *out = fb_image_row (luma, y);
    for (x = 0; x < frame->width; x++)
      out[x] = table[fb_sample_get (l, in + (size_t) x * l->y.step)];
  }
}

FB_VECTORISED static void
read_luma_yuv (const FbFrame * frame, FbImage * luma, int y0, int y1)
{
  FbYuvLayout l = fb_yuv_layout (frame->format);

  if (l.wide)
    read_luma_deep (frame, &l, luma, y0, y1);
  else if (l.y.step == 1)
    read_luma_8bit (frame, luma, y0, y1, 0, 1);
  else if (l.y.offset == 0)
    read_luma_8bit (frame, luma, y0, y1, 0, 2);
  else
    read_luma_8bit (frame, luma, y0, y1, 1, 2);
}

/* ------------------------------------------------------------- packed RGB */

/* FB_DISPATCH_PACKED, for formats that are packed. */
#define DISPATCH_PACKED(format, FUNC, ...)                                   \
  do {                                                                       \
    g_assert (!fb_format_is_yuv (format));                                   \
    FB_DISPATCH_PACKED (format, FUNC, __VA_ARGS__);                          \
  } while (0)

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
    for (x = 0; x < rect.width; x++)
      fb_packed_blend (f + bpp * x, ro, go, bo, eo, src + 3 * x, a[x]);
  }
}

static G_ALWAYS_INLINE inline void
read_luma_packed (const FbFrame * frame, FbImage * luma, int y0, int y1,
    const int bpp, const int ro, const int go, const int bo, const int eo)
{
  const int w = frame->width;
  int x, y;

  for (y = y0; y < y1; y++) {
    const uint8_t *in = frame->planes[0] + (size_t) y * frame->strides[0];
    uint8_t *out = fb_image_row (luma, y);
    for (x = 0; x < w; x++)
      out[x] = fb_packed_luma (in + bpp * x, ro, go, bo);
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
  if (fb_format_is_yuv (frame->format))
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
  if (fb_format_is_yuv (frame->format))
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
  if (fb_format_is_yuv (job->frame->format))
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
  int i;

  if (g_once_init_enter (&dot_alpha)) {
    FbImage *alpha = fb_image_new (3, 3, 1);
    dot_rgb = fb_image_new (3, 3, 3);
    memset (alpha->data, 255, 9);
    for (i = 0; i < 9; i++) {
      dot_rgb->data[3 * i] = FB_MARK_R;
      dot_rgb->data[3 * i + 1] = FB_MARK_G;
      dot_rgb->data[3 * i + 2] = FB_MARK_B;
    }
    g_once_init_leave (&dot_alpha, alpha);
  }
  for (i = 0; i < n; i++) {
    FbRect dot;
    if (fb_mark_dot (points[i], frame->width, frame->height, &dot))
      fb_frame_blend_rgb (frame, dot, dot_rgb, dot_alpha);
  }
}

int
fb_frame_n_planes (FbFormat format)
{
  FbYuvLayout l;

  if (!fb_format_is_yuv (format))
    return 1;
  l = fb_yuv_layout (format);
  return 1 + MAX (l.u.plane, l.v.plane);
}

/* The byte after the last sample of `n` in a row, or 0 where s is in another plane. */
static int
samples_end (const FbYuvLayout * l, FbSamplePlace s, int plane, int n)
{
  return s.plane == plane ? s.offset + (n - 1) * s.step + (l->wide ? 2 : 1) : 0;
}

int
fb_frame_plane_row_bytes (FbFormat format, int width, int plane)
{
  FbPackedLayout packed = fb_packed_layout (format);
  FbYuvLayout l;
  int chroma_width;

  g_return_val_if_fail (plane >= 0 && plane < fb_frame_n_planes (format), 0);
  if (packed.bpp)
    return width * packed.bpp;
  l = fb_yuv_layout (format);
  chroma_width = ((width - 1) >> l.chroma_x_shift) + 1;
  return MAX (samples_end (&l, l.y, plane, width), MAX (samples_end (&l, l.u, plane,
              chroma_width), samples_end (&l, l.v, plane, chroma_width)));
}

int
fb_frame_plane_rows (FbFormat format, int height, int plane)
{
  g_return_val_if_fail (plane >= 0 && plane < fb_frame_n_planes (format), 0);
  if (plane == 0)
    return height;
  return ((height - 1) >> fb_yuv_layout (format).chroma_y_shift) + 1;
}

gsize
fb_frame_plane_span (const FbFrame * frame, int plane, int y0, int y1, gsize * offset)
{
  int row_bytes;

  g_return_val_if_fail (plane >= 0 && plane < fb_frame_n_planes (frame->format), 0);
  g_return_val_if_fail (0 <= y0 && y0 < y1 && y1 <= frame->height, 0);

  row_bytes = fb_frame_plane_row_bytes (frame->format, frame->width, plane);
  if (plane > 0) {
    /* the chroma rows that frame rows y0 .. y1 - 1 share */
    int shift = fb_yuv_layout (frame->format).chroma_y_shift;
    y0 >>= shift;
    y1 = ((y1 - 1) >> shift) + 1;
  }
  *offset = (gsize) y0 * frame->strides[plane];
  /* the last row ends at its last pixel: the stride's padding after it need not exist */
  return (gsize) (y1 - y0 - 1) * frame->strides[plane] + row_bytes;
}
