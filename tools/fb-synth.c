/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-synth.h"

#include <math.h>

void
fb_synth_face_frame_into (const FbImage * face, FbImage * out, float cx, float cy,
    float scale, float angle)
{
  /* The inverse map (frame pixel -> face pixel) is affine, so it is stepped along each
   * row instead of being recomputed per pixel. */
  const float ca = cosf (angle) / scale, sa = sinf (angle) / scale;
  const float half_w = face->width / 2.0f, half_h = face->height / 2.0f;
  const int channels = out->channels, k = face->channels;
  int x, y, c;

  g_return_if_fail (face->channels >= 3);
  g_return_if_fail (out->channels == 3 || out->channels == 4);

  for (y = 0; y < out->height; y++) {
    uint8_t *row = fb_image_row (out, y);
    const float dy = y - cy;
    for (x = 0; x < out->width; x++) {
      const float dx = x - cx;
      const float u = ca * dx + sa * dy + half_w;
      const float v = -sa * dx + ca * dy + half_h;
      const int u0 = (int) floorf (u), v0 = (int) floorf (v);
      uint8_t *px = row + x * channels;

      if (u0 < 0 || v0 < 0 || u0 + 1 >= face->width || v0 + 1 >= face->height) {
        px[0] = px[1] = px[2] = FB_SYNTH_BACKGROUND;
      } else {
        const float fu = u - u0, fv = v - v0;
        const uint8_t *r0 = fb_image_row (face, v0) + u0 * k;
        const uint8_t *r1 = fb_image_row (face, v0 + 1) + u0 * k;
        for (c = 0; c < 3; c++) {
          const float a = r0[c] * (1 - fu) + r0[k + c] * fu;
          const float b = r1[c] * (1 - fu) + r1[k + c] * fu;
          px[c] = (uint8_t) (a * (1 - fv) + b * fv + 0.5f);
        }
      }
      if (channels == 4)
        px[3] = 255;
    }
  }
}

FbImage *
fb_synth_face_frame (const FbImage * face, int width, int height, int channels,
    float cx, float cy, float scale, float angle)
{
  FbImage *out;

  g_return_val_if_fail (channels == 3 || channels == 4, NULL);
  out = fb_image_new (width, height, channels);
  fb_synth_face_frame_into (face, out, cx, cy, scale, angle);
  return out;
}
