/* faceblit — pictures of the intermediate results in place of the output, one pixel at
 * a time for the CPU threads and the CUDA kernels alike.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-blit.h"

typedef enum {
  FB_DEBUG_VIEW_NONE,
  FB_DEBUG_VIEW_LANDMARKS,      /* stylized output with the landmarks drawn on it */
  FB_DEBUG_VIEW_POSITIONAL_GUIDE,       /* G_pos as red/green */
  FB_DEBUG_VIEW_APPEARANCE_GUIDE,       /* G_app (histogram-matched) as grey */
  FB_DEBUG_VIEW_CHUNKS,         /* each coherent chunk of the NNF in its own colour */
  FB_DEBUG_VIEW_MASK,           /* the feathered mask as grey */
} FbDebugView;

/* The views that replace the output's pixels (the landmarks are drawn on the frame). */
#define FB_DEBUG_VIEW_IS_PICTURE(v) ((v) != FB_DEBUG_VIEW_NONE && (v) != FB_DEBUG_VIEW_LANDMARKS)

/* What a picture is made from: the synthesis' results, at 1 / 2^shift of the
 * output's resolution. */
typedef struct {
  FbDebugView view;
  int shift;
  int synthesis_x0;             /* the synthesis region, absolute canonical pixels */
  int synthesis_y0;
  int synthesis_width;
  const float *pos;
  const uint8_t *app;
  const int32_t *nnf;
  const uint8_t *coverage;
  int coverage_stride;
  int mask_shift;               /* the coverage's shift from the output resolution */
  int style_width;              /* the synthesis style level's */
  int style_height;
} FbDebugSource;

FB_FUNC uint8_t
fb_debug_clamp_byte (float v)
{
  return (uint8_t) (v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* Output pixel (x, y) of the picture, 3 bytes. */
FB_FUNC void
fb_debug_view_pixel (const FbDebugSource * d, int x, int y, uint8_t * out)
{
  size_t i = (size_t) (y >> d->shift) * d->synthesis_width + (x >> d->shift);
  int32_t o;
  uint32_t h;

  switch (d->view) {
    case FB_DEBUG_VIEW_POSITIONAL_GUIDE:
      out[0] = fb_debug_clamp_byte (d->pos[2 * i] * 255 / d->style_width);
      out[1] = fb_debug_clamp_byte (d->pos[2 * i + 1] * 255 / d->style_height);
      out[2] = 0;
      break;
    case FB_DEBUG_VIEW_APPEARANCE_GUIDE:
      out[0] = out[1] = out[2] = d->app[i];
      break;
    case FB_DEBUG_VIEW_CHUNKS:
      o = d->nnf[i];
      h = fb_chunk_id (d->synthesis_x0 + (x >> d->shift), d->synthesis_y0 + (y >> d->shift),
          FB_PIXEL_X (o), FB_PIXEL_Y (o));
      out[0] = 64 + (h & 0xBF);
      out[1] = 64 + ((h >> 8) & 0xBF);
      out[2] = 64 + ((h >> 16) & 0xBF);
      break;
    case FB_DEBUG_VIEW_MASK:
      out[0] = out[1] = out[2] = d->coverage[(size_t) (y >> d->mask_shift)
          * d->coverage_stride + (x >> d->mask_shift)];
      break;
    default:
      break;
  }
}
