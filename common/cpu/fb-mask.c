/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-mask.h"
#include "fb-guide.h"

#include <math.h>
#include <string.h>

#define N_JAW (FB_LM_JAW_LAST - FB_LM_JAW_FIRST + 1)
#define N_ARC (FB_FACE_OUTLINE_POINTS - N_JAW)

/* How far the top of the head lies above the brows, in brow-to-chin distances. */
#define FOREHEAD_HEIGHT 0.45f

void
fb_face_outline (const FbLandmarks * lm, FbPoint out[FB_FACE_OUTLINE_POINTS])
{
  const FbPoint *p = lm->points;
  FbPoint left = p[FB_LM_JAW_FIRST], right = p[FB_LM_JAW_LAST], chin = p[8];
  FbPoint centre = { 0.5f * (left.x + right.x), 0.5f * (left.y + right.y) };
  FbPoint brows = { 0, 0 }, ex, up;
  float half_width, height, brow_to_chin, side;
  int i;

  for (i = 0; i < N_JAW; i++)
    out[i] = p[FB_LM_JAW_FIRST + i];

  for (i = FB_LM_BROWS_FIRST; i <= FB_LM_BROWS_LAST; i++) {
    brows.x += p[i].x;
    brows.y += p[i].y;
  }
  brows.x /= FB_LM_BROWS_LAST - FB_LM_BROWS_FIRST + 1;
  brows.y /= FB_LM_BROWS_LAST - FB_LM_BROWS_FIRST + 1;

  /* The arc is half an ellipse on the jaw's end points: its first axis runs from the
   * centre to jaw point 16, its second points away from the chin. */
  ex.x = right.x - centre.x;
  ex.y = right.y - centre.y;
  half_width = hypotf (ex.x, ex.y);
  if (half_width < 1e-3f) {
    ex.x = 1;
    ex.y = 0;
    half_width = 1e-3f;
  } else {
    ex.x /= half_width;
    ex.y /= half_width;
  }
  up.x = ex.y;
  up.y = -ex.x;
  side = (chin.x - centre.x) * up.x + (chin.y - centre.y) * up.y;
  if (side > 0) {
    up.x = -up.x;
    up.y = -up.y;
  }
  brow_to_chin = hypotf (chin.x - brows.x, chin.y - brows.y);
  height = (brows.x - centre.x) * up.x + (brows.y - centre.y) * up.y
      + FOREHEAD_HEIGHT * brow_to_chin;
  height = MAX (height, 0.25f * half_width);

  for (i = 1; i <= N_ARC; i++) {
    float t = (float) G_PI * i / (N_ARC + 1);
    float c = half_width * cosf (t), s = height * sinf (t);
    out[N_JAW + i - 1].x = centre.x + c * ex.x + s * up.x;
    out[N_JAW + i - 1].y = centre.y + c * ex.y + s * up.y;
  }
}

gboolean
fb_face_mask_outline (const FbLandmarks * lm, float origin_x, float origin_y, int height,
    FbPoint outline[FB_FACE_OUTLINE_POINTS], int *y0, int *y1)
{
  float y_min = G_MAXFLOAT, y_max = -G_MAXFLOAT;
  int i;

  fb_face_outline (lm, outline);
  for (i = 0; i < FB_FACE_OUTLINE_POINTS; i++) {
    outline[i].x -= origin_x;
    outline[i].y -= origin_y;
    y_min = MIN (y_min, outline[i].y);
    y_max = MAX (y_max, outline[i].y);
  }
  if (!(y_max > -0.5f && y_min < height - 0.5f))
    return FALSE;
  *y0 = MAX (0, (int) floorf (y_min + 0.5f));
  *y1 = MIN (height - 1, (int) ceilf (y_max + 0.5f));
  return TRUE;
}

void
fb_face_mask_render (const FbLandmarks * lm, float origin_x, float origin_y,
    float feather_sigma, FbImage * mask)
{
  FbPoint outline[FB_FACE_OUTLINE_POINTS];
  float *delta;
  int w = mask->width, h = mask->height, radii[FB_BLUR_PASSES], x, y, y0, y1;

  g_return_if_fail (mask->channels == 1);
  for (y = 0; y < h; y++)
    memset (fb_image_row (mask, y), 0, w);
  if (!fb_face_mask_outline (lm, origin_x, origin_y, h, outline, &y0, &y1))
    return;
  delta = g_new (float, w + 2);
  for (y = y0; y <= y1; y++)
    fb_face_mask_row (outline, y, w, delta, fb_image_row (mask, y));
  g_free (delta);

  if (!(feather_sigma > 0) || !fb_blur_radii (feather_sigma, radii))
    return;
  fb_blur (mask, &mask, feather_sigma);
  for (y = 0; y < h; y++) {
    uint8_t *row = fb_image_row (mask, y);
    for (x = 0; x < w; x++)
      row[x] = fb_mask_inner_feather (row[x]);
  }
}
