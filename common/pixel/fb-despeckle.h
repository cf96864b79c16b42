/* faceblit — despeckling the synthesis' NNF one pixel at a time, for the CPU
 * (fb-synthesis.c) and the CUDA kernels alike.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-hostdevice.h"
#include "fb-seed-lookup.h"

/* Of a pixel's 8 neighbours, this many must lie in one chunk for the pixel to join it. */
#define FB_DESPECKLE_MAJORITY 5
/* Passes over the NNF: the first leaves pairs and short lines of specks that the second
 * then takes (target1 x ken, the share of the face in tiny chunks: 29 % before, 24 %
 * after one pass, 20 % after two). */
#define FB_DESPECKLE_PASSES 2

/* How many of the 8 neighbours of the NNF entry at p (rows width apart, not on the
 * region's border) lie in its chunk: a neighbour (dx, dy) away in the same chunk holds
 * the entry + FB_PIXEL_PACK (dx, dy), which no other chunk does (the style is narrower
 * than 2^16). Inside a chunk, the common case, this alone decides. */
FB_FUNC int
fb_nnf_same_chunk (const int32_t * p, int width)
{
  const int32_t *up = p - width, *down = p + width, own = *p;

  return (up[-1] == own - 65537) + (up[0] == own - 65536) + (up[1] == own - 65535)
      + (p[-1] == own - 1) + (p[1] == own + 1)
      + (down[-1] == own + 65535) + (down[0] == own + 65536) + (down[1] == own + 65537);
}

/* fb_nnf_despeckled of the entry at p (not on the region's border), of which `same`
 * neighbours lie in its chunk (fb_nnf_same_chunk). */
FB_FUNC int32_t
fb_nnf_despeckled_at (const int32_t * p, int width, int style_width, int style_height,
    int same)
{
  int32_t own = *p, candidates[8];
  int n = 0, dx, dy, k, j;

  /* then no other chunk can hold the majority */
  if (same > 8 - FB_DESPECKLE_MAJORITY)
    return own;
  for (dy = -1; dy <= 1; dy++)
    for (dx = -1; dx <= 1; dx++) {
      int32_t o;
      int cx, cy;
      if (dx == 0 && dy == 0)
        continue;
      /* the style pixel the neighbour's chunk puts here */
      o = p[dy * width + dx];
      cx = FB_PIXEL_X (o) - dx;
      cy = FB_PIXEL_Y (o) - dy;
      candidates[n++] = cx >= 0 && cy >= 0 && cx < style_width && cy < style_height
          ? (int32_t) FB_PIXEL_PACK (cx, cy) : -1;
    }
  /* a chunk that holds 5 of the 8 holds one of any 4 of them */
  for (k = 0; k <= 8 - FB_DESPECKLE_MAJORITY; k++) {
    int count = 0;
    if (candidates[k] < 0 || candidates[k] == own)
      continue;
    for (j = 0; j < 8; j++)
      count += candidates[j] == candidates[k];
    if (count >= FB_DESPECKLE_MAJORITY)
      return candidates[k];
  }
  return own;
}

/* NNF entry (x, y) of nnf (width x height, FB_PIXEL_PACK of style pixels inside
 * style_width x style_height) with specks removed: a pixel whose chunk (the offset of
 * its style pixel from it) differs from that of a majority of its 8 neighbours takes
 * theirs. Inside a chunk, single pixels whose guide error exceeds the threshold by
 * noise take a finer seed's chunk or a lookup of their own; they drew the texture as
 * sprinkled dots, a new sprinkle every frame, which was most of the drift while the
 * head moves (target1 x ken: 3.0 of 4.9 on the pixels in tiny chunks). Joining the
 * neighbours' chunk continues its texture across the pixel, so no seam is made; a
 * chunk's edges, where no chunk holds the majority, stay as they are. The region's
 * border pixels, and chunks that would leave the style there, keep their entry. */
FB_FUNC int32_t
fb_nnf_despeckled (const int32_t * nnf, int width, int height, int style_width,
    int style_height, int x, int y)
{
  const int32_t *p = nnf + (size_t) y * width + x;

  if (x == 0 || y == 0 || x == width - 1 || y == height - 1)
    return *p;
  return fb_nnf_despeckled_at (p, width, style_width, style_height,
      fb_nnf_same_chunk (p, width));
}
