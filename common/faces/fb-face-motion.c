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
/* A landmark's own window: this fraction of the face width on a side (at least
 * 2 * POINT_MIN_HALF pixels), about POINT_SAMPLES of its pixels. */
#define POINT_WINDOW 0.08f
#define POINT_MIN_HALF 3.0f
#define POINT_SAMPLES 150
#define POINT_MAX_SAMPLES (2 * POINT_SAMPLES)
#define POINT_ITERATIONS 8
/* Grey levels per pixel: a window whose texture changes less than this along a direction
 * keeps mostly to the face's motion along it (an edge, a smooth cheek). */
#define POINT_PRIOR 4.0f
/* Fraction of the face width: a window that would move further from where the face's
 * motion takes it has latched onto something else. */
#define POINT_REACH 0.03f
/* Parameters: zoom-and-turn (a - 1, b, about the patch's centre), shift, brightness. */
#define N_PARAMS 5

void
fb_face_patch_clear (FbFacePatch * patch)
{
  fb_image_free (patch->pixels);
  patch->pixels = NULL;
}

/* The bounding box of lm's points first..last-1, reaching margin beyond them. */
static FbRect
points_box (const FbLandmarks * lm, int first, int last, float margin, const FbImage * grey)
{
  float x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT;
  FbRect box = { 0, 0, 0, 0 }, frame = { 0, 0, grey->width, grey->height };
  int i;

  for (i = first; i < last; i++) {
    x0 = MIN (x0, lm->points[i].x);
    y0 = MIN (y0, lm->points[i].y);
    x1 = MAX (x1, lm->points[i].x);
    y1 = MAX (y1, lm->points[i].y);
  }
  if (!isfinite (x0 + y0 + x1 + y1 + margin))
    return box;
  box.x = (int) CLAMP (floorf (x0 - margin), -1, grey->width);
  box.y = (int) CLAMP (floorf (y0 - margin), -1, grey->height);
  box.width = (int) CLAMP (ceilf (x1 + margin), 0, grey->width) - box.x;
  box.height = (int) CLAMP (ceilf (y1 + margin), 0, grey->height) - box.y;
  return fb_rect_intersect (box, frame);
}

void
fb_face_patch_take (FbFacePatch * patch, const FbImage * grey, const FbLandmarks * lm)
{
  const float margin = PATCH_MARGIN * fb_landmarks_face_width (lm);
  FbRect box = points_box (lm, FB_LM_BROWS_FIRST, FB_N_LANDMARKS, margin, grey);
  int y;

  fb_face_patch_clear (patch);
  patch->eyes_nose = points_box (lm, FB_LM_NOSE_FIRST, FB_LM_MOUTH_FIRST, margin, grey);
  if (box.width < 8 || box.height < 8 || patch->eyes_nose.width < 8
      || patch->eyes_nose.height < 8)
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

/* Solves the symmetric positive system h x = g of n unknowns by Cholesky; FALSE if it
 * is singular. */
static gboolean
solve (int n, double h[N_PARAMS][N_PARAMS], const double g[N_PARAMS], double x[N_PARAMS])
{
  double l[N_PARAMS][N_PARAMS] = { { 0 } }, z[N_PARAMS];
  int i, j, k;

  for (i = 0; i < n; i++)
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
  for (i = 0; i < n; i++) {
    double sum = g[i];
    for (k = 0; k < i; k++)
      sum -= l[i][k] * z[k];
    z[i] = sum / l[i][i];
  }
  for (i = n - 1; i >= 0; i--) {
    double sum = z[i];
    for (k = i + 1; k < n; k++)
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
  const FbRect box = previous->eyes_nose;
  float cx, cy, p[N_PARAMS], radius;
  int stride, iteration;

  if (!patch || grey->width < 3 || grey->height < 3)
    return FALSE;
  /* about the patch's centre, so that the zoom-and-turn and the shift stay apart */
  cx = box.x + 0.5f * (box.width - 1);
  cy = box.y + 0.5f * (box.height - 1);
  p[0] = motion->a - 1;
  p[1] = motion->b;
  p[2] = motion->a * cx - motion->b * cy + motion->tx - cx;
  p[3] = motion->b * cx + motion->a * cy + motion->ty - cy;
  p[4] = 0;
  radius = 0.5f * hypotf ((float) box.width, (float) box.height);
  stride = MAX (1, (int) sqrtf ((float) box.width * box.height / N_SAMPLES));
  for (iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    double h[N_PARAMS][N_PARAMS] = { { 0 } }, g[N_PARAMS] = { 0 }, step[N_PARAMS];
    int x, y, i, j, n = 0;

    for (y = box.y; y < box.y + box.height; y += stride) {
      const uint8_t *row = fb_image_row (patch, y - previous->y0) - previous->x0;
      const float qy = y - cy;
      for (x = box.x; x < box.x + box.width; x += stride) {
        const float qx = x - cx;
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
    if (!solve (N_PARAMS, h, g, step))
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

/* Whether the window of half side `half` about centre, and the pixels around it that
 * its gradient reads, lie in the previous frame's patch. */
static gboolean
window_in_patch (const FbFacePatch * previous, FbPoint centre, float half)
{
  const FbImage *patch = previous->pixels;

  return patch && centre.x - half >= previous->x0 + 1
      && centre.y - half >= previous->y0 + 1
      && centre.x + half < previous->x0 + patch->width - 2
      && centre.y + half < previous->y0 + patch->height - 2;
}

/* How far one window moved beyond motion's prediction: Gauss-Newton on its grey levels
 * with a brightness offset, the shift held towards 0 with the weight of POINT_PRIOR's
 * gradient. It is inverse compositional (the window's own gradient, summed once, makes
 * the normal equations of every step), so that a step reads one sample per pixel.
 * FALSE where it does not settle within reach. */
static gboolean
point_shift (const FbFacePatch * previous, const FbImage * grey, FbSimilarity motion,
    FbPoint centre, float half, float reach, FbPoint * shift)
{
  const FbImage *patch = previous->pixels;
  const FbPoint predicted = fb_similarity_apply (motion, centre);
  const int x0 = (int) ceilf (centre.x - half), y0 = (int) ceilf (centre.y - half);
  const int x1 = (int) floorf (centre.x + half), y1 = (int) floorf (centre.y + half);
  /* rounded up: at most about POINT_SAMPLES + 2 sqrt (POINT_SAMPLES) + 1 samples */
  const int stride = MAX (1, (int) ceilf (sqrtf ((float) (x1 - x0 + 1) * (y1 - y0 + 1)
              / POINT_SAMPLES)));
  const float scale = hypotf (motion.a, motion.b);
  float gx[POINT_MAX_SAMPLES], gy[POINT_MAX_SAMPLES], qx[POINT_MAX_SAMPLES],
      qy[POINT_MAX_SAMPLES], value[POINT_MAX_SAMPLES];
  double h[N_PARAMS][N_PARAMS] = { { 0 } }, prior;
  double u[2] = { 0, 0 }, offset = 0;
  int x, y, i, j, k, n = 0, iteration;

  for (y = y0; y <= y1; y += stride) {
    const uint8_t *row = fb_image_row (patch, y - previous->y0) - previous->x0;
    const uint8_t *up = row - patch->stride, *down = row + patch->stride;
    for (x = x0; x <= x1 && n < POINT_MAX_SAMPLES; x += stride) {
      gx[n] = 0.5f * (row[x + 1] - row[x - 1]);
      gy[n] = 0.5f * (down[x] - up[x]);
      qx[n] = x - centre.x;
      qy[n] = y - centre.y;
      value[n] = row[x];
      h[0][0] += gx[n] * gx[n];
      h[1][0] += gx[n] * gy[n];
      h[1][1] += gy[n] * gy[n];
      h[2][0] -= gx[n];
      h[2][1] -= gy[n];
      n++;
    }
  }
  prior = (double) n * POINT_PRIOR * POINT_PRIOR;
  h[0][0] += prior;
  h[1][1] += prior;
  h[2][2] = n;
  for (i = 0; i < 3; i++)
    for (j = i + 1; j < 3; j++)
      h[i][j] = h[j][i];
  for (iteration = 0; iteration < POINT_ITERATIONS; iteration++) {
    /* the window moved by motion, then by u in its own frame's pixels */
    double g[N_PARAMS] = { prior * u[0], prior * u[1], 0 }, step[N_PARAMS];
    for (k = 0; k < n; k++) {
      const float sx = qx[k] + (float) u[0], sy = qy[k] + (float) u[1];
      const float wx = predicted.x + motion.a * sx - motion.b * sy;
      const float wy = predicted.y + motion.b * sx + motion.a * sy;
      float e;
      if (!(wx >= 0 && wy >= 0 && wx < grey->width - 1 && wy < grey->height - 1))
        return FALSE;
      e = bilinear (grey, wx, wy) + (float) offset - value[k];
      g[0] += gx[k] * e;
      g[1] += gy[k] * e;
      g[2] -= e;
    }
    if (!solve (3, h, g, step))
      return FALSE;
    u[0] -= step[0];
    u[1] -= step[1];
    offset += step[2];
    if (!(scale * hypot (u[0], u[1]) <= reach))
      return FALSE;
    if (scale * (fabs (step[0]) + fabs (step[1])) < STEP_DONE) {
      shift->x = (float) (motion.a * u[0] - motion.b * u[1]);
      shift->y = (float) (motion.b * u[0] + motion.a * u[1]);
      return TRUE;
    }
  }
  return FALSE;
}

void
fb_face_motion_carry (const FbFacePatch * previous, const FbImage * grey,
    FbSimilarity motion, const FbLandmarks * from, FbLandmarks * to)
{
  const float face_width = fb_landmarks_face_width (from);
  const float half = MAX (POINT_MIN_HALF, 0.5f * POINT_WINDOW * face_width);
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++) {
    const FbPoint centre = from->points[i];
    FbPoint shift;

    to->points[i] = fb_similarity_apply (motion, centre);
    /* the jaw line is the face's outline: around it lies the background as well */
    if (i >= FB_LM_BROWS_FIRST && grey->width >= 3 && grey->height >= 3
        && window_in_patch (previous, centre, half)
        && point_shift (previous, grey, motion, centre, half, POINT_REACH * face_width,
            &shift)) {
      to->points[i].x += shift.x;
      to->points[i].y += shift.y;
    }
  }
}
