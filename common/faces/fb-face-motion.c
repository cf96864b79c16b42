/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-face-motion.h"

#include <math.h>
#include <string.h>

/* The patch reaches this fraction of the face width beyond the eyes and nose. */
#define PATCH_MARGIN 0.1f
/* About this many of the patch's pixels take part: plenty to average noise away. */
#define N_SAMPLES 3000
#define MAX_ITERATIONS 12
/* Converged: the last step moved no point of the patch by more than this (pixels). */
#define STEP_DONE 0.01f
/* A frame-to-frame zoom outside this range is a failed alignment, not a motion. */
#define MAX_ZOOM 1.25f
/* Parameters: zoom-and-turn (a - 1, b, about the patch's centre), shift, brightness. */
#define N_PARAMS 5

void
fb_face_patch_clear (FbFacePatch * patch)
{
  fb_image_free (patch->pixels);
  patch->pixels = NULL;
}

void
fb_face_patch_take (FbFacePatch * patch, const FbImage * grey, const FbLandmarks * lm)
{
  const float margin = PATCH_MARGIN * fb_landmarks_face_width (lm);
  float x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT;
  FbRect box, frame = { 0, 0, grey->width, grey->height };
  int i, y;

  for (i = FB_LM_NOSE_FIRST; i < FB_LM_MOUTH_FIRST; i++) {
    x0 = MIN (x0, lm->points[i].x);
    y0 = MIN (y0, lm->points[i].y);
    x1 = MAX (x1, lm->points[i].x);
    y1 = MAX (y1, lm->points[i].y);
  }
  fb_face_patch_clear (patch);
  if (!isfinite (x0 + y0 + x1 + y1 + margin))
    return;
  box.x = (int) CLAMP (floorf (x0 - margin), -1, grey->width);
  box.y = (int) CLAMP (floorf (y0 - margin), -1, grey->height);
  box.width = (int) CLAMP (ceilf (x1 + margin), 0, grey->width) - box.x;
  box.height = (int) CLAMP (ceilf (y1 + margin), 0, grey->height) - box.y;
  box = fb_rect_intersect (box, frame);
  if (box.width < 8 || box.height < 8)
    return;
  patch->pixels = fb_image_new (box.width, box.height, 1);
  patch->x0 = box.x;
  patch->y0 = box.y;
  for (y = 0; y < box.height; y++)
    memcpy (fb_image_row (patch->pixels, y), fb_image_row (grey, box.y + y) + box.x,
        box.width);
}

static float
bilinear (const FbImage * grey, float x, float y)
{
  const int ix = (int) x, iy = (int) y;
  const float fx = x - ix, fy = y - iy;
  const uint8_t *r0 = fb_image_row (grey, iy), *r1 = fb_image_row (grey, iy + 1);

  return (1 - fy) * ((1 - fx) * r0[ix] + fx * r0[ix + 1])
      + fy * ((1 - fx) * r1[ix] + fx * r1[ix + 1]);
}

/* Solves the symmetric positive system h x = g by Cholesky; FALSE if it is singular. */
static gboolean
solve (double h[N_PARAMS][N_PARAMS], const double g[N_PARAMS], double x[N_PARAMS])
{
  double l[N_PARAMS][N_PARAMS] = { { 0 } }, z[N_PARAMS];
  int i, j, k;

  for (i = 0; i < N_PARAMS; i++)
    for (j = 0; j <= i; j++) {
      double sum = h[i][j];
      for (k = 0; k < j; k++)
        sum -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(sum > 1e-9 * (1 + fabs (h[i][i]))))
          return FALSE;
        l[i][i] = sqrt (sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  for (i = 0; i < N_PARAMS; i++) {
    double sum = g[i];
    for (k = 0; k < i; k++)
      sum -= l[i][k] * z[k];
    z[i] = sum / l[i][i];
  }
  for (i = N_PARAMS - 1; i >= 0; i--) {
    double sum = z[i];
    for (k = i + 1; k < N_PARAMS; k++)
      sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return TRUE;
}

gboolean
fb_face_motion_refine (const FbFacePatch * previous, const FbImage * grey,
    FbSimilarity * motion)
{
  const FbImage *patch = previous->pixels;
  float cx, cy, p[N_PARAMS], radius;
  int stride, iteration;

  if (!patch || grey->width < 3 || grey->height < 3)
    return FALSE;
  /* about the patch's centre, so that the zoom-and-turn and the shift stay apart */
  cx = previous->x0 + 0.5f * (patch->width - 1);
  cy = previous->y0 + 0.5f * (patch->height - 1);
  p[0] = motion->a - 1;
  p[1] = motion->b;
  p[2] = motion->a * cx - motion->b * cy + motion->tx - cx;
  p[3] = motion->b * cx + motion->a * cy + motion->ty - cy;
  p[4] = 0;
  radius = 0.5f * hypotf ((float) patch->width, (float) patch->height);
  stride = MAX (1, (int) sqrtf ((float) patch->width * patch->height / N_SAMPLES));
  for (iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    double h[N_PARAMS][N_PARAMS] = { { 0 } }, g[N_PARAMS] = { 0 }, step[N_PARAMS];
    int x, y, i, j, n = 0;

    for (y = 0; y < patch->height; y += stride) {
      const uint8_t *row = fb_image_row (patch, y);
      const float qy = previous->y0 + y - cy;
      for (x = 0; x < patch->width; x += stride) {
        const float qx = previous->x0 + x - cx;
        const float wx = cx + qx + p[0] * qx - p[1] * qy + p[2];
        const float wy = cy + qy + p[1] * qx + p[0] * qy + p[3];
        float gx, gy, e, jac[N_PARAMS];
        /* the gradient's samples stay inside the frame */
        if (!(wx >= 1 && wy >= 1 && wx < grey->width - 2 && wy < grey->height - 2))
          continue;
        gx = 0.5f * (bilinear (grey, wx + 1, wy) - bilinear (grey, wx - 1, wy));
        gy = 0.5f * (bilinear (grey, wx, wy + 1) - bilinear (grey, wx, wy - 1));
        e = bilinear (grey, wx, wy) + p[4] - row[x];
        jac[0] = gx * qx + gy * qy;
        jac[1] = gy * qx - gx * qy;
        jac[2] = gx;
        jac[3] = gy;
        jac[4] = 1;
        for (i = 0; i < N_PARAMS; i++) {
          g[i] -= jac[i] * e;
          for (j = 0; j <= i; j++)
            h[i][j] += jac[i] * jac[j];
        }
        n++;
      }
    }
    if (n < 64)
      return FALSE;
    for (i = 0; i < N_PARAMS; i++)
      for (j = i + 1; j < N_PARAMS; j++)
        h[i][j] = h[j][i];
    if (!solve (h, g, step))
      return FALSE;
    for (i = 0; i < N_PARAMS; i++)
      p[i] += (float) step[i];
    if (!isfinite (p[0] + p[1] + p[2] + p[3]) || hypotf (1 + p[0], p[1]) > MAX_ZOOM
        || hypotf (1 + p[0], p[1]) < 1 / MAX_ZOOM
        || hypotf (p[2], p[3]) > 2 * radius)
      return FALSE;
    if ((fabs (step[0]) + fabs (step[1])) * radius + fabs (step[2]) + fabs (step[3])
        < STEP_DONE) {
      motion->a = 1 + p[0];
      motion->b = p[1];
      motion->tx = cx + p[2] - (motion->a * cx - motion->b * cy);
      motion->ty = cy + p[3] - (motion->b * cx + motion->a * cy);
      return TRUE;
    }
  }
  return FALSE;
}
