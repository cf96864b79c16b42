/* faceblit — compositing in one pass: each pair of patch rows (one chroma row) is
 * resampled from canonical space into small buffers and blended into the frame at
 * once. A row is cut into spans: outside the region (untouched), near its border
 * (clamped, pixel by pixel) and inside (vectorised runs, by what coverage they see),
 * so that the pixels the face does not reach cost next to nothing.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-composite.h"

#include <math.h>
#include <string.h>

#include "fb-vectorised.h"

/* fb-composite-pixel.h's positions: every pixel of a row follows one linear sequence,
 * so the spans below are exact. */
#define FRAC FB_PATCH_FRAC
#define ONE FB_PATCH_ONE
#define HALF FB_PATCH_HALF

/* Pixels whose coverage is classified at once (all 0, all 255 or mixed) from the
 * coverage cells their positions fall in. */
#define CHUNK 32

/* Spare bytes after each row of the coverage copy: coverage is read four bytes at a
 * time from the left neighbour of each bilinear pair. */
#define COVERAGE_PAD 2

typedef enum {
  RUN_HIDDEN,                   /* coverage 0 everywhere: alpha 0, the frame is kept */
  RUN_OPAQUE,                   /* coverage 255 everywhere: alpha 255 */
  RUN_FEATHERED,                /* anything else: coverage sampled per pixel */
} RunKind;

typedef struct {
  const FbPatchSource *source;
  FbFrame *frame;               /* blended into */
  FbRect patch;                 /* frame pixels (clipped to the frame when blending) */
  FbPatchSampler sampler;       /* source's, with its steps du and dv */
  uint8_t *coverage;            /* source->coverage, COVERAGE_PAD more bytes per row */
  int coverage_stride;
  int *n_hidden;                /* summed-area tables of coverage == 0 and == 255, */
  int *n_opaque;                /* (coverage width + 1) entries per row; one block */
} CompositeJob;

static inline uint32_t
load_u32_le (const uint8_t * p)
{
  uint32_t v;

  memcpy (&v, p, sizeof (v));
  return GUINT32_FROM_LE (v);
}

/* Bilinear colours at (u, v) + i (du, dv), i < n, whose four neighbours are all inside
 * `data`. Each pair of neighbours is read as four bytes from its first byte and four
 * from its third (shifted): both stay within the pair's six. */
FB_VECTORISED static void
sample_colours_inside (const uint8_t * restrict data, int stride, int32_t u, int32_t v,
    int32_t du, int32_t dv, int n, uint8_t * restrict rgb)
{
  int i, c;

  for (i = 0; i < n; i++) {
    int32_t pu = u + i * du, pv = v + i * dv;
    int offset = (pv >> FRAC) * stride + (pu >> FRAC) * 3;
    int wx = (pu >> 8) & 255, wy = (pv >> 8) & 255;
    uint32_t top_left = load_u32_le (data + offset);
    uint32_t top_right = load_u32_le (data + offset + 2) >> 8;
    uint32_t bottom_left = load_u32_le (data + offset + stride);
    uint32_t bottom_right = load_u32_le (data + offset + stride + 2) >> 8;
    for (c = 0; c < 3; c++)
      rgb[3 * i + c] = fb_bilinear_mix ((top_left >> 8 * c) & 255,
          (top_right >> 8 * c) & 255, (bottom_left >> 8 * c) & 255,
          (bottom_right >> 8 * c) & 255, wx, wy);
  }
}

/* The colours' pixels nearest to the same positions (rows at least two pixels wide).
 * Each is read as four bytes from the byte before it, or from its own first byte in
 * the first column: both stay within the row. */
FB_VECTORISED static void
sample_colours_nearest (const uint8_t * restrict data, int stride, int32_t u, int32_t v,
    int32_t du, int32_t dv, int n, uint8_t * restrict rgb)
{
  int i, c;

  for (i = 0; i < n; i++) {
    int x = (u + i * du + HALF) >> FRAC, y = (v + i * dv + HALF) >> FRAC, back = x > 0;
    int offset = y * stride + 3 * x - back;
    uint32_t pixel = load_u32_le (data + offset) >> 8 * back;
    for (c = 0; c < 3; c++)
      rgb[3 * i + c] = (pixel >> 8 * c) & 255;
  }
}

/* Bilinear coverage at the same positions, all inside the padded coverage copy. */
FB_VECTORISED static void
sample_coverage_inside (const uint8_t * restrict data, int stride, int shift, int32_t u,
    int32_t v, int32_t du, int32_t dv, int n, uint8_t * restrict alpha)
{
  int i;

  for (i = 0; i < n; i++) {
    int32_t qu = fb_coverage_position (u + i * du, shift);
    int32_t qv = fb_coverage_position (v + i * dv, shift);
    int offset = (qv >> FRAC) * stride + (qu >> FRAC);
    uint32_t top = load_u32_le (data + offset);
    uint32_t bottom = load_u32_le (data + offset + stride);
    alpha[i] = fb_bilinear_mix (top & 255, (top >> 8) & 255, bottom & 255,
        (bottom >> 8) & 255, (qu >> 8) & 255, (qv >> 8) & 255);
  }
}

/* floor (n / d) for d > 0. */
static gint64
floor_div (gint64 n, gint64 d)
{
  return n >= 0 ? n / d : -((-n + d - 1) / d);
}

/* Narrows [*i0, *i1) to the i where lo <= start + i * step <= hi. */
static void
clip_span (gint64 start, gint64 step, gint64 lo, gint64 hi, int *i0, int *i1)
{
  gint64 first, last;

  if (step == 0) {
    if (start < lo || start > hi)
      *i1 = *i0;
    return;
  }
  if (step > 0) {
    first = -floor_div (start - lo, step);
    last = floor_div (hi - start, step);
  } else {
    first = -floor_div (hi - start, -step);
    last = floor_div (start - lo, -step);
  }
  *i0 = (int) CLAMP (first, *i0, *i1);
  *i1 = (int) CLAMP (last + 1, *i0, *i1);
}

/* Coverage cells (x0..x1, y0..y1) counted in a summed-area table. */
static int
box_count (const int *table, int table_width, int x0, int y0, int x1, int y1)
{
  const int *top = table + (size_t) y0 * table_width;
  const int *bottom = table + (size_t) (y1 + 1) * table_width;

  return bottom[x1 + 1] - bottom[x0] - top[x1 + 1] + top[x0];
}

/* What the chunk of a row from pixel i0 (the row's inside ends before `end`) sees of
 * the coverage: its positions move monotonically, so their cells lie between those of
 * its ends. */
static RunKind
classify (const CompositeJob * job, gint64 u0, gint64 v0, int i0, int end)
{
  const FbImage *coverage = job->source->coverage;
  int shift = job->source->coverage_shift, table_width, i1 = MIN (i0 + CHUNK, end);
  int xa, ya, xb, yb, x0, x1, y0, y1, area;

  if (!coverage)
    return RUN_OPAQUE;
  table_width = coverage->width + 1;
  xa = fb_coverage_position (u0 + (gint64) i0 * job->sampler.du, shift) >> FRAC;
  ya = fb_coverage_position (v0 + (gint64) i0 * job->sampler.dv, shift) >> FRAC;
  xb = fb_coverage_position (u0 + (gint64) (i1 - 1) * job->sampler.du, shift) >> FRAC;
  yb = fb_coverage_position (v0 + (gint64) (i1 - 1) * job->sampler.dv, shift) >> FRAC;
  x0 = MIN (xa, xb);
  x1 = MAX (xa, xb) + 1;
  y0 = MIN (ya, yb);
  y1 = MAX (ya, yb) + 1;
  area = (x1 - x0 + 1) * (y1 - y0 + 1);

  if (box_count (job->n_hidden, table_width, x0, y0, x1, y1) == area)
    return RUN_HIDDEN;
  if (box_count (job->n_opaque, table_width, x0, y0, x1, y1) == area)
    return RUN_OPAQUE;
  return RUN_FEATHERED;
}

/* Pixels i0 .. i1 - 1 of a row, in the inside of both images. */
static void
sample_run (const CompositeJob * job, RunKind kind, gint64 u0, gint64 v0, int i0, int i1,
    uint8_t * rgb, uint8_t * alpha)
{
  const FbPatchSource *from = job->source;
  const FbImage *colours = from->colours;
  int32_t du = job->sampler.du, dv = job->sampler.dv;
  int32_t u = (int32_t) (u0 + (gint64) i0 * du), v = (int32_t) (v0 + (gint64) i0 * dv);
  int n = i1 - i0;

  if (kind == RUN_HIDDEN) {
    memset (alpha + i0, 0, n);
    return;
  }
  if (kind == RUN_OPAQUE)
    memset (alpha + i0, 255, n);
  else
    sample_coverage_inside (job->coverage, job->coverage_stride, from->coverage_shift, u,
        v, du, dv, n, alpha + i0);
  if (from->nearest)
    sample_colours_nearest (colours->data, colours->stride, u, v, du, dv, n, rgb + 3 * i0);
  else
    sample_colours_inside (colours->data, colours->stride, u, v, du, dv, n, rgb + 3 * i0);
}

/* Samples row y of the patch into rgb and alpha (indexed by patch column) and returns
 * in [*first, *end) the columns where alpha may be > 0: alpha is set there, rgb where
 * alpha > 0. */
static void
sample_row (const CompositeJob * job, int y, uint8_t * rgb, uint8_t * alpha, int *first,
    int *end)
{
  const FbPatchSource *from = job->source;
  const FbImage *colours = from->colours, *coverage = from->coverage;
  gint64 du = job->sampler.du, dv = job->sampler.dv;
  int64_t u0, v0;
  int r0 = 0, r1 = job->patch.width, s0, s1, i, run_end, shown_start, shown_end;

  fb_patch_row_start (&job->sampler, job->patch.x, job->patch.y + y, &u0, &v0);
  /* fb_patch_reaches, as a span */
  clip_span (u0, du, -HALF, (gint64) colours->width * ONE - HALF, &r0, &r1);
  clip_span (v0, dv, -HALF, (gint64) colours->height * ONE - HALF, &r0, &r1);
  /* Inside: every neighbour of both bilinear samples exists. */
  s0 = r0;
  s1 = r1;
  clip_span (u0, du, 0, (gint64) (colours->width - 1) * ONE - 1, &s0, &s1);
  clip_span (v0, dv, 0, (gint64) (colours->height - 1) * ONE - 1, &s0, &s1);
  if (coverage) {
    int shift = from->coverage_shift;
    gint64 lo = ((gint64) HALF << shift) - HALF;
    clip_span (u0, du, lo, (((gint64) (coverage->width - 1) * ONE + HALF) << shift)
        - HALF - 1, &s0, &s1);
    clip_span (v0, dv, lo, (((gint64) (coverage->height - 1) * ONE + HALF) << shift)
        - HALF - 1, &s0, &s1);
  }
  if (s0 >= s1)
    s0 = s1 = r1;

  for (i = r0; i < s0; i++)
    alpha[i] = fb_patch_sample (&job->sampler, u0 + i * du, v0 + i * dv, rgb + 3 * i);
  for (i = s1; i < r1; i++)
    alpha[i] = fb_patch_sample (&job->sampler, u0 + i * du, v0 + i * dv, rgb + 3 * i);
  /* Chunks of the same kind are sampled as one run; [shown_start, shown_end) spans
   * those not hidden. */
  shown_start = s1;
  shown_end = s0;
  for (i = s0; i < s1; i = run_end) {
    RunKind kind = classify (job, u0, v0, i, s1);
    run_end = MIN (i + CHUNK, s1);
    while (run_end < s1 && classify (job, u0, v0, run_end, s1) == kind)
      run_end = MIN (run_end + CHUNK, s1);
    sample_run (job, kind, u0, v0, i, run_end, rgb, alpha);
    if (kind != RUN_HIDDEN) {
      shown_start = MIN (shown_start, i);
      shown_end = run_end;
    }
  }

  /* Trims the ends where alpha is 0, skipping hidden runs without reading them. */
  while (r0 < s0 && alpha[r0] == 0)
    r0++;
  if (r0 == s0)
    r0 = shown_start;
  while (r0 >= s1 && r0 < r1 && alpha[r0] == 0)
    r0++;
  while (r1 > s1 && alpha[r1 - 1] == 0)
    r1--;
  if (r1 == s1)
    r1 = shown_end;
  while (r1 <= s0 && r1 > r0 && alpha[r1 - 1] == 0)
    r1--;
  *first = r0;
  *end = r1;
}

FB_VECTORISED static void
opacity_row (const FbPatchSampler * sampler, uint8_t * restrict alpha, int first, int end)
{
  int i;

  for (i = first; i < end; i++)
    alpha[i] = fb_patch_opacity (sampler, alpha[i]);
}

/* An image of rect's size on rows of a buffer. */
static FbImage
rows_view (uint8_t * data, FbRect rect, int channels, int stride)
{
  FbImage view = { rect.width, rect.height, channels, stride, data };

  return view;
}

/* Band `index` of `count` of the patch's row pairs: the frame rows that share a
 * chroma row are sampled, then blended together. */
static void
blend_job (void *data, int index, int count)
{
  CompositeJob *job = data;
  FbRect patch = job->patch;
  size_t width = patch.width;
  uint8_t *memory = g_malloc0 (8 * width);
  uint8_t *rgb[2] = { memory, memory + 3 * width };
  uint8_t *alpha[2] = { memory + 6 * width, memory + 7 * width };
  int pair0 = patch.y >> 1, n_pairs = ((patch.y + patch.height - 1) >> 1) - pair0 + 1;
  int p0, p1, pair;

  fb_band_rows (n_pairs, index, count, &p0, &p1);
  for (pair = pair0 + p0; pair < pair0 + p1; pair++) {
    int y0 = MAX (2 * pair, patch.y), n_rows = MIN (2 * pair + 2, patch.y + patch.height)
        - y0;
    int first[2], end[2], lo = patch.width, hi = 0, top = -1, bottom = -1, r;
    FbImage rgb_rows, alpha_rows;
    FbRect rect;

    for (r = 0; r < n_rows; r++) {
      sample_row (job, y0 + r - patch.y, rgb[r], alpha[r], &first[r], &end[r]);
      if (job->sampler.strength < 255 || job->sampler.hard_edge)
        opacity_row (&job->sampler, alpha[r], first[r], end[r]);
      if (first[r] < end[r]) {
        lo = MIN (lo, first[r]);
        hi = MAX (hi, end[r]);
        top = top < 0 ? r : top;
        bottom = r;
      }
    }
    if (top < 0)
      continue;
    for (r = top; r <= bottom; r++) {
      memset (alpha[r] + lo, 0, first[r] - lo);
      memset (alpha[r] + end[r], 0, hi - end[r]);
    }
    /* The second row's buffers follow the first's: one stride for both. */
    rect.x = patch.x + lo;
    rect.y = y0 + top;
    rect.width = hi - lo;
    rect.height = bottom - top + 1;
    rgb_rows = rows_view (rgb[top] + 3 * lo, rect, 3, 3 * width);
    alpha_rows = rows_view (alpha[top] + lo, rect, 1, width);
    fb_frame_blend_rgb (job->frame, rect, &rgb_rows, &alpha_rows);
  }
  g_free (memory);
}

FbPatchSampler
fb_patch_sampler (const FbPatchSource * source)
{
  FbPatchSampler s = { source->to_canonical, source->region, source->colours->data,
    source->colours->stride
  };

  if (source->coverage) {
    s.coverage = source->coverage->data;
    s.coverage_width = source->coverage->width;
    s.coverage_height = source->coverage->height;
    s.coverage_stride = source->coverage->stride;
    s.coverage_shift = source->coverage_shift;
  }
  s.nearest = source->nearest;
  s.strength = (uint8_t) lrintf (CLAMP (source->strength, 0.0f, 1.0f) * 255);
  s.hard_edge = source->hard_edge;
  fb_patch_sampler_set_steps (&s);
  return s;
}

/* The padded coverage copy and the summed-area tables. */
static void
prepare_coverage (const FbImage * coverage, CompositeJob * job)
{
  int w = coverage->width, h = coverage->height, x, y;
  size_t table_size = (size_t) (w + 1) * (h + 1);

  job->coverage_stride = w + COVERAGE_PAD;
  job->coverage = g_malloc0 ((size_t) job->coverage_stride * h);
  job->n_hidden = g_new0 (int, 2 * table_size);
  job->n_opaque = job->n_hidden + table_size;
  for (y = 0; y < h; y++) {
    const uint8_t *in = fb_image_row (coverage, y);
    int *hidden = job->n_hidden + (size_t) (y + 1) * (w + 1);
    int *opaque = job->n_opaque + (size_t) (y + 1) * (w + 1);
    int hidden_in_row = 0, opaque_in_row = 0;
    memcpy (job->coverage + (size_t) y * job->coverage_stride, in, w);
    for (x = 0; x < w; x++) {
      hidden_in_row += in[x] == 0;
      opaque_in_row += in[x] == 255;
      hidden[x + 1] = hidden[x + 1 - (w + 1)] + hidden_in_row;
      opaque[x + 1] = opaque[x + 1 - (w + 1)] + opaque_in_row;
    }
  }
}

void
fb_composite_patch_onto (FbWorkers * workers, const FbPatchSource * source,
    FbRect patch, FbFrame * frame)
{
  FbRect whole = { 0, 0, frame->width, frame->height };
  CompositeJob job = { source, frame, fb_rect_intersect (patch, whole) };

  g_return_if_fail (source->colours->channels == 3
      && source->colours->width == source->region.width
      && source->colours->height == source->region.height);
  g_return_if_fail (source->region.width < 32768 && source->region.height < 32768);
  g_return_if_fail (!source->coverage || source->coverage->channels == 1);

  if (job.patch.width <= 0 || job.patch.height <= 0)
    return;
  job.sampler = fb_patch_sampler (source);
  if (source->coverage)
    prepare_coverage (source->coverage, &job);
  fb_workers_run (workers, blend_job, &job, fb_band_count (workers, job.patch.height));
  g_free (job.coverage);
  g_free (job.n_hidden);
}
