/* faceblit — a face's guides one pixel at a time, for the CPU (fb-face-guides.c) and
 * the CUDA kernels alike: the frame's luma resampled into the synthesis region, the
 * samples of the face's histogram, the positional guide folded into the style's border,
 * the appearance guide of a painted background.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-blit.h"
#include "fb-composite-pixel.h"
#include "fb-geometry.h"
#include "fb-lighting-pixel.h"

/* Where pixel row y of the region samples the frame first. The row's next positions
 * are running float sums, fb_resample_step after fb_resample_step: computing them
 * otherwise would move them by a rounding error, and the output with them. */
FB_FUNC FbPoint
fb_resample_row_start (FbSimilarity to_frame, FbRect region, int y)
{
  FbPoint start = { (float) region.x, (float) (region.y + y) };

  return fb_similarity_apply (to_frame, start);
}

FB_FUNC void
fb_resample_step (FbSimilarity to_frame, FbPoint * f)
{
  f->x += to_frame.a;
  f->y += to_frame.b;
}

/* Whether f is a pixel inside the frame's last row and column. */
FB_FUNC int
fb_resample_inside (FbPoint f, int width, int height)
{
  return f.x >= 0 && f.y >= 0 && f.x < (float) (width - 1) && f.y < (float) (height - 1);
}

/* A coordinate inside the frame in 8-bit fixed point: f * 256 is exact, and truncating
 * it (f >= 0) gives floor (f) in its high bits and the weight in its low byte. */
FB_FUNC int
fb_resample_fixed (float f)
{
  return (int) (f * 256.0f);
}

/* The offset of the top-left neighbour of fixed-point position (sx, sy). */
FB_FUNC int
fb_resample_offset (int sx, int sy, int stride)
{
  return (sy >> 8) * stride + (sx >> 8);
}

FB_FUNC int
fb_resample_weight (int s)
{
  return s & 255;
}

/* fb_bilinear_mix of the pixel at p, its right neighbour and the two below. */
FB_FUNC uint8_t
fb_resample_mix (const uint8_t * p, int stride, int wx, int wy)
{
  return (uint8_t) fb_bilinear_mix (p[0], p[1], p[stride], p[stride + 1], wx, wy);
}

/* The luma (width x height) at frame position f, edges clamped. */
FB_FUNC uint8_t
fb_resample_pixel (const uint8_t * luma, int stride, int width, int height, FbPoint f)
{
  float v;

  if (fb_resample_inside (f, width, height)) {
    int sx = fb_resample_fixed (f.x), sy = fb_resample_fixed (f.y);
    return fb_resample_mix (luma + fb_resample_offset (sx, sy, stride), stride,
        fb_resample_weight (sx), fb_resample_weight (sy));
  }
  fb_sample_bilinear (luma, stride, width, height, 1, f.x, f.y, &v);
  return (uint8_t) (v + 0.5f);
}

/* Which guide pixel along an axis of `size` stands for coverage sample i, of a mask at
 * 1 / 2^shift of the guide's resolution: the middle of its block. */
FB_FUNC int
fb_coverage_sample (int i, int shift, int size)
{
  int s = (i << shift) + (1 << shift) / 2;

  return s < size - 1 ? s : size - 1;
}

/* The face is where the feathered mask is above 0: inside the hard outline, since
 * the feather lies inside it (fb_mask_inner_feather). */
FB_FUNC int
fb_coverage_inside (uint8_t coverage)
{
  return coverage > 0;
}

/* Which corner of the style is its backdrop (FbStyleLevel.background_corner). */
#define FB_STYLE_CORNER_RIGHT 1
#define FB_STYLE_CORNER_BOTTOM 2

/* The side of the corner square of the style that the positional guide is folded into
 * beyond the style (fb_fold_into_style_corner). */
FB_FUNC float
fb_style_corner_size (int width, int height)
{
  float size = 0.12f * (width < height ? width : height);

  return size > 4.0f ? size : 4.0f;
}

/* Folds a distance back and forth inside [0, size]: mirror tiling, continuous. It is
 * the distance to the nearest multiple of 2 size (even in the distance, so no fabsf
 * first): one quotient and one rounding, inlined and correctly rounded on the CPU and
 * the GPU alike (the same bytes), where fmodf, an exact remainder in a library call,
 * took 3-5 % of a painted background's time. Its rounding errors, an ulp of the
 * distance, may take it as far past size: still inside the exemplar. */
FB_FUNC float
fb_fold_into_band (float distance, float size)
{
  float period = 2 * size;

  return fabsf (distance - period * rintf (distance / period));
}

/* Far from the face the positional guide leaves the exemplar (width x height).
 * Clamping it smears the exemplar's edge rows into streaks; folding it into a band
 * along the nearest border repeats whatever touches that border (a beard, hair, a
 * collar) in bands, and tiling each quadrant from its own corner shows the exemplar's
 * lighting as blocks. So a position beyond the exemplar is mirror-tiled from one
 * square of backdrop, the style's background corner (FB_STYLE_CORNER_RIGHT and
 * FB_STYLE_CORNER_BOTTOM of `corner`, fb_style_corner_size a side): a texture with no
 * feature of the face to repeat. Inside the exemplar the position is kept. */
FB_FUNC void
fb_fold_into_style_corner (float *xy, int width, int height, float size, int corner)
{
  float x = xy[0], y = xy[1], right = width - 1, bottom = height - 1;

  if (x >= 0 && x <= right && y >= 0 && y <= bottom)
    return;
  xy[0] = corner & FB_STYLE_CORNER_RIGHT ? right - fb_fold_into_band (right - x, size)
      : fb_fold_into_band (x, size);
  xy[1] = corner & FB_STYLE_CORNER_BOTTOM ? bottom - fb_fold_into_band (bottom - y, size)
      : fb_fold_into_band (y, size);
}

/* How far inside the exemplar, in corner sizes, its backdrop's tone goes over to the
 * border tone (fb_backdrop_tone_gains). One corner size left the exemplar's own lighter
 * paper around the face as a sheet with soft edges; two leave a faint glow. */
#define FB_BACKDROP_TONE_BAND 2.0f

/* The gains (4.12, as the lighting's), one per channel, in gains[0], gains[plane] and
 * gains[2 plane], that give a painted background one even backdrop colour where the
 * exemplar ends, at the region pixel whose positional guide, before folding, is xy. The
 * exemplar's backdrop is lighter or darker, warmer or cooler in places than the corner
 * tiled beyond it (fb_fold_into_style_corner): without the gains the exemplar showed
 * as a pasted rectangle, tilted with the head, and a tile with a gradient of light
 * across it as stripes. Beyond the exemplar the tile's backdrop colour is taken to
 * border_tone; inside, within FB_BACKDROP_TONE_BAND corner sizes of its edge, the
 * exemplar's own backdrop colour eases over to it (smoothly: no seam of its own).
 * `tone` (3 channels, tone_stride bytes a row) is the backdrop's colour at each
 * exemplar pixel, the figure left out of it (FbStyleLevel.tone), so that a beard or a
 * bust's base that the edge cuts keeps its shade instead of being lightened into the
 * backdrop or drawn on beyond the edge as a streak. 1 deeper inside. */
FB_FUNC void
fb_backdrop_tone_gains (const float *xy, int width, int height, float size, int corner,
    const uint8_t * tone, int tone_stride, const int *border_tone, uint16_t * gains,
    size_t plane)
{
  float x = xy[0], y = xy[1], right = width - 1, bottom = height - 1;
  float at[2] = { x, y }, depth, eased = 0;
  const uint8_t *here;
  int c;

  if (x >= 0 && x <= right && y >= 0 && y <= bottom) {
    depth = fminf (fminf (x, right - x), fminf (y, bottom - y)) / (FB_BACKDROP_TONE_BAND
        * size);
    if (depth >= 1) {
      for (c = 0; c < 3; c++)
        gains[c * plane] = FB_LIGHTING_ONE;
      return;
    }
    eased = depth * depth * (3 - 2 * depth);
  } else
    fb_fold_into_style_corner (at, width, height, size, corner);
  here = tone + (size_t) (int) (at[1] + 0.5f) * tone_stride + 3 * (int) (at[0] + 0.5f);
  for (c = 0; c < 3; c++) {
    float wanted = (float) border_tone[c] + eased * (float) (here[c] - border_tone[c]);
    gains[c * plane] = (uint16_t) fb_lighting_clamp_gain ((int) (wanted * FB_LIGHTING_ONE
            / (float) (here[c] > 0 ? here[c] : 1) + 0.5f));
  }
}

/* The appearance guide of a painted background at a region pixel whose positional
 * guide is xy. Beyond the face the target's own guide (its hair, glasses, the people
 * behind) would choose the exemplar pieces that redraw it: ghosts in the exemplar's
 * texture. The exemplar's guide where the positional guide points leaves the choice to
 * position alone: the exemplar's own hair and clothes, deformed as the face is (the
 * authors' way). It is the pixel fb_blit_lookup's direct candidate takes, so that one
 * costs position only. The coverage blends the two across the face's feathered edge;
 * inside the face (255) the target's guide stays as it is. */
FB_FUNC uint8_t
fb_background_appearance (uint8_t target, uint8_t coverage, const float *xy,
    const uint8_t * style_guide, int style_stride, int style_width, int style_height)
{
  int x = fb_clampi ((int) (xy[0] + 0.5f), 0, style_width - 1);
  int y = fb_clampi ((int) (xy[1] + 0.5f), 0, style_height - 1);
  int style = style_guide[(size_t) y * style_stride + x];

  return (uint8_t) ((coverage * target + (255 - coverage) * style + 127) / 255);
}
