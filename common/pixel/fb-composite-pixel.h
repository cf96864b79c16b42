/* faceblit — what compositing blends into one frame pixel: the face's canonical-space
 * colours and coverage sampled at the pixel's canonical position (DESIGN.md §2.9),
 * written once for the CPU's fb-composite.c and the CUDA kernels.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-blit.h"
#include "fb-frame-pixels.h"
#include "fb-geometry.h"
#include "fb-hostdevice.h"

/* Canonical positions (relative to the region) are 16.16 fixed point, stepped by a
 * constant per frame pixel along a row: exact enough for 8-bit weights, and every
 * pixel of a row follows one linear sequence, so position i of a row is exactly
 * start + i * step however it is reached. */
#define FB_PATCH_FRAC 16
#define FB_PATCH_ONE (1 << FB_PATCH_FRAC)
#define FB_PATCH_HALF (FB_PATCH_ONE / 2)

/* What a patch is sampled from, as plain data (host or device addresses). */
typedef struct {
  FbSimilarity to_canonical;    /* frame pixels -> canonical pixels */
  FbRect region;                /* the canonical pixels `colours` holds */
  const uint8_t *colours;       /* 3 channels, region-sized */
  int colours_stride;
  const uint8_t *coverage;      /* NULL: opaque wherever colours reach */
  int coverage_width;
  int coverage_height;
  int coverage_stride;
  int coverage_shift;           /* coverage has 1 / 2^shift of the region's resolution */
  int nearest;                  /* copy colours' pixels instead of interpolating them */
  uint8_t strength;             /* of the face over the frame, 0..255 (fb_patch_faded) */
  int hard_edge;                /* opaque wherever coverage is above 0 (fb_patch_opacity) */
  int32_t du;                   /* canonical step per frame pixel along a row */
  int32_t dv;
} FbPatchSampler;

/* The steps of a sampler whose other fields are set. */
FB_FUNC void
fb_patch_sampler_set_steps (FbPatchSampler * s)
{
  s->du = (int32_t) lrint (s->to_canonical.a * FB_PATCH_ONE);
  s->dv = (int32_t) lrint (s->to_canonical.b * FB_PATCH_ONE);
}

/* The canonical position of frame pixel (x0, y), where its row of the patch starts.
 * The transform is float, so each product with an integer below 2^24 is exact in
 * double, and a fused multiply-add gives the same sum. */
FB_FUNC void
fb_patch_row_start (const FbPatchSampler * s, int x0, int y, int64_t * u0, int64_t * v0)
{
  FbSimilarity t = s->to_canonical;
  double fx = x0, fy = y;

  *u0 = llround ((t.a * fx - t.b * fy + t.tx - s->region.x) * FB_PATCH_ONE);
  *v0 = llround ((t.b * fx + t.a * fy + t.ty - s->region.y) * FB_PATCH_ONE);
}

/* Whether position (u, v) is on the region: its pixels are squares around their
 * centres. */
FB_FUNC int
fb_patch_reaches (const FbPatchSampler * s, int64_t u, int64_t v)
{
  return u >= -FB_PATCH_HALF && v >= -FB_PATCH_HALF
      && u <= (int64_t) s->region.width * FB_PATCH_ONE - FB_PATCH_HALF
      && v <= (int64_t) s->region.height * FB_PATCH_ONE - FB_PATCH_HALF;
}

/* A canonical coordinate in the coverage's pixels: (c + 1/2) / 2^shift - 1/2. */
FB_FUNC int32_t
fb_coverage_position (int32_t c, int shift)
{
  return ((c + FB_PATCH_HALF) >> shift) - FB_PATCH_HALF;
}

/* What a bilinear sample at 16.16 position (u, v) of an image (width x height pixels of
 * `channels` values, rows `stride` values apart) reads, the position clamped into the
 * image as fb_sample_bilinear clamps: the top-left neighbour's offset, the steps to its
 * right and lower neighbours (0 on the last column or row) and the 8-bit weights. */
typedef struct {
  size_t offset;
  int right;
  int below;
  int wx;
  int wy;
} FbBilinearCell;

FB_FUNC FbBilinearCell
fb_bilinear_cell (int width, int height, int channels, int stride, int32_t u, int32_t v)
{
  int32_t max_u = (width - 1) * FB_PATCH_ONE, max_v = (height - 1) * FB_PATCH_ONE;
  int32_t cu = u < 0 ? 0 : u > max_u ? max_u : u;
  int32_t cv = v < 0 ? 0 : v > max_v ? max_v : v;
  int x = cu >> FB_PATCH_FRAC, y = cv >> FB_PATCH_FRAC;
  FbBilinearCell c = { (size_t) y * stride + x * channels, x + 1 < width ? channels : 0,
    y + 1 < height ? stride : 0, (cu >> 8) & 255, (cv >> 8) & 255
  };

  return c;
}

/* Bilinear sample (8-bit weights) of `channels` bytes at 16.16 position (u, v), the
 * position clamped into the image as fb_sample_bilinear clamps. */
FB_FUNC void
fb_sample_clamped (const uint8_t * data, int width, int height, int channels, int stride,
    int32_t u, int32_t v, uint8_t * out)
{
  FbBilinearCell c = fb_bilinear_cell (width, height, channels, stride, u, v);
  const uint8_t *p = data + c.offset;
  int i;

  for (i = 0; i < channels; i++)
    out[i] = (uint8_t) fb_bilinear_mix (p[i], p[i + c.right], p[i + c.below],
        p[i + c.below + c.right], c.wx, c.wy);
}

/* The feathered coverage (width x height, 1 / 2^shift of the region's resolution) at
 * 16.16 region position (u, v), bilinear. */
FB_FUNC uint8_t
fb_coverage_at (const uint8_t * coverage, int width, int height, int stride, int shift,
    int32_t u, int32_t v)
{
  uint8_t alpha;

  fb_sample_clamped (coverage, width, height, 1, stride, fb_coverage_position (u, shift),
      fb_coverage_position (v, shift), &alpha);
  return alpha;
}

/* The colour (rgb) and coverage (returned) at position (u, v) on the region. */
FB_FUNC uint8_t
fb_patch_sample (const FbPatchSampler * s, int32_t u, int32_t v, uint8_t * rgb)
{
  int w = s->region.width, h = s->region.height;
  uint8_t alpha = 255;

  if (s->coverage)
    alpha = fb_coverage_at (s->coverage, s->coverage_width, s->coverage_height,
        s->coverage_stride, s->coverage_shift, u, v);
  if (alpha == 0)
    return 0;
  if (s->nearest) {
    int x = (u + FB_PATCH_HALF) >> FB_PATCH_FRAC, y = (v + FB_PATCH_HALF) >> FB_PATCH_FRAC;
    const uint8_t *p = s->colours + (size_t) (y < h - 1 ? y : h - 1) * s->colours_stride
        + 3 * (x < w - 1 ? x : w - 1);
    rgb[0] = p[0];
    rgb[1] = p[1];
    rgb[2] = p[2];
  } else {
    fb_sample_clamped (s->colours, w, h, 3, s->colours_stride, u, v, rgb);
  }
  return alpha;
}

/* The opacity of a patch pixel of coverage `alpha` when the face is shown at `strength`
 * (0..255) over the frame: 255 keeps alpha, so full strength composites as without
 * it, and 0 gives 0, which leaves the frame's pixel bit-exact. */
FB_FUNC uint8_t
fb_patch_faded (uint8_t alpha, uint8_t strength)
{
  return fb_div255 ((uint16_t) (alpha * strength));
}

/* The opacity of a patch pixel whose coverage is alpha: faded by the sampler's
 * strength, and with a hard edge all or nothing first. A debug view's picture of the
 * chunks or guides has a hard edge: feathered, every pixel of the face's soft edge
 * would be a colour of its own, blended with the frame, which no chunk or guide has. */
FB_FUNC uint8_t
fb_patch_opacity (const FbPatchSampler * s, uint8_t alpha)
{
  return fb_patch_faded (s->hard_edge && alpha > 0 ? 255 : alpha, s->strength);
}

/* What compositing blends into frame pixel (x, y) of a patch whose rows start at
 * column x0: the colour (rgb, set where the returned opacity is > 0) and the opacity
 * (faded by the sampler's strength), 0 where the pixel's position is off the region. */
FB_FUNC uint8_t
fb_patch_pixel (const FbPatchSampler * s, int x0, int x, int y, uint8_t * rgb)
{
  int64_t u, v;

  fb_patch_row_start (s, x0, y, &u, &v);
  u += (int64_t) (x - x0) * s->du;
  v += (int64_t) (x - x0) * s->dv;
  if (!fb_patch_reaches (s, u, v))
    return 0;
  return fb_patch_opacity (s, fb_patch_sample (s, (int32_t) u, (int32_t) v, rgb));
}
