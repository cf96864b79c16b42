/* faceblit — float canvases for the painting and drawing filters.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-canvas.h"

#include <math.h>
#include <string.h>

FbCanvas *
fb_canvas_new (int width, int height, int channels)
{
  FbCanvas *c = g_new0 (FbCanvas, 1);

  c->width = width;
  c->height = height;
  c->channels = channels;
  c->data = g_new0 (float, (size_t) width * height * channels);
  return c;
}

void
fb_canvas_free (FbCanvas * c)
{
  if (!c)
    return;
  g_free (c->data);
  g_free (c);
}

FbCanvas *
fb_canvas_copy (const FbCanvas * c)
{
  FbCanvas *copy = fb_canvas_new (c->width, c->height, c->channels);

  memcpy (copy->data, c->data, sizeof (float) * c->width * c->height * c->channels);
  return copy;
}

/* ---- Deterministic noise ------------------------------------------------------------ */

/* Smooth value noise in [0, 1) with lattice spacing 1. */
float
fb_value_noise (float x, float y, uint32_t seed)
{
  const int xi = (int) floorf (x), yi = (int) floorf (y);
  const float fx = fb_smoothstep (0, 1, x - xi), fy = fb_smoothstep (0, 1, y - yi);
  const float a = fb_hash_unit (xi, yi, seed), b = fb_hash_unit (xi + 1, yi, seed);
  const float c = fb_hash_unit (xi, yi + 1, seed), d = fb_hash_unit (xi + 1, yi + 1, seed);

  return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
}

/* ---- Resampling and blur ------------------------------------------------------------ */

static inline float
catmull_rom (float t, int k)
{
  /* weights of the 4 taps at offsets -1, 0, 1, 2 for fraction t */
  const float t2 = t * t, t3 = t2 * t;
  switch (k) {
    case 0:
      return 0.5f * (-t3 + 2 * t2 - t);
    case 1:
      return 0.5f * (3 * t3 - 5 * t2 + 2);
    case 2:
      return 0.5f * (-3 * t3 + 4 * t2 + t);
    default:
      return 0.5f * (t3 - t2);
  }
}

void
fb_canvas_blur (FbCanvas * img, float sigma)
{
  const int radius = (int) ceilf (3 * sigma), n = img->channels;
  float *kernel, *line;
  int x, y, k, c, len;

  if (sigma < 0.3f)
    return;
  kernel = g_new (float, 2 * radius + 1);
  {
    float sum = 0;
    for (k = -radius; k <= radius; k++)
      sum += kernel[k + radius] = expf (-0.5f * k * k / (sigma * sigma));
    for (k = 0; k <= 2 * radius; k++)
      kernel[k] /= sum;
  }
  len = MAX (img->width, img->height);
  line = g_new (float, (size_t) len * n);
  for (y = 0; y < img->height; y++) {
    float *row = fb_canvas_at (img, 0, y);
    memcpy (line, row, sizeof (float) * img->width * n);
    for (x = 0; x < img->width; x++)
      for (c = 0; c < n; c++) {
        float acc = 0;
        for (k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * line[fb_reflect (x + k, img->width) * n + c];
        row[x * n + c] = acc;
      }
  }
  for (x = 0; x < img->width; x++) {
    for (y = 0; y < img->height; y++)
      memcpy (line + y * n, fb_canvas_at (img, x, y), sizeof (float) * n);
    for (y = 0; y < img->height; y++)
      for (c = 0; c < n; c++) {
        float acc = 0;
        for (k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * line[fb_reflect (y + k, img->height) * n + c];
        fb_canvas_at (img, x, y)[c] = acc;
      }
  }
  g_free (line);
  g_free (kernel);
}

/* The crop rectangle (in photo pixels, may reach outside) scaled to out_w x out_h. */
FbCanvas *
fb_canvas_crop_and_scale (const FbImage * photo, const double crop[4], int out_w, int out_h)
{
  const float sx = crop[2] / out_w, sy = crop[3] / out_h;
  g_autoptr (FbCanvas) src = fb_canvas_new (photo->width, photo->height, 3);
  FbCanvas *out = fb_canvas_new (out_w, out_h, 3);
  int x, y, c, i, j;

  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++)
      for (c = 0; c < 3; c++)
        fb_canvas_at (src, x, y)[c] = fb_image_row (photo, y)[x * photo->channels + c];
  /* Shrinking: remove what the output grid cannot hold first. */
  if (MAX (sx, sy) > 1.0f)
    fb_canvas_blur (src, 0.5f * MAX (sx, sy));

  for (y = 0; y < out_h; y++) {
    const float v = crop[1] + (y + 0.5f) * sy - 0.5f;
    const int v0 = (int) floorf (v);
    for (x = 0; x < out_w; x++) {
      const float u = crop[0] + (x + 0.5f) * sx - 0.5f;
      const int u0 = (int) floorf (u);
      float acc[3] = { 0, 0, 0 };
      for (j = 0; j < 4; j++) {
        const float wy = catmull_rom (v - v0, j);
        const int yy = fb_reflect (v0 - 1 + j, photo->height);
        for (i = 0; i < 4; i++) {
          const float w = wy * catmull_rom (u - u0, i);
          const float *p = fb_canvas_at (src, fb_reflect (u0 - 1 + i, photo->width), yy);
          for (c = 0; c < 3; c++)
            acc[c] += w * p[c];
        }
      }
      for (c = 0; c < 3; c++)
        fb_canvas_at (out, x, y)[c] = CLAMP (acc[c], 0.0f, 255.0f);
    }
  }
  return out;
}

void
fb_canvas_unsharp (FbCanvas * img, float sigma, float amount)
{
  g_autoptr (FbCanvas) blurred = fb_canvas_copy (img);
  size_t i, n = (size_t) img->width * img->height * img->channels;

  fb_canvas_blur (blurred, sigma);
  for (i = 0; i < n; i++)
    img->data[i] = CLAMP (img->data[i] + amount * (img->data[i] - blurred->data[i]), 0.0f,
        255.0f);
}

/* ---- Orientation field --------------------------------------------------------------- */

/* Per pixel: the tangent angle (along edges, across the gradient) and the anisotropy
 * in [0, 1] of the structure tensor smoothed over rho. A weak constant tensor (grey
 * level contrast `bias`) across `default_angle` makes flat areas, whose own direction
 * is noise, take that direction: a painter's habitual diagonal hatching. */
FbCanvas *
fb_canvas_orientation_field (const FbCanvas * img, float rho, float default_angle, float bias)
{
  const float nx = -sinf (default_angle), ny = cosf (default_angle);
  const int w = img->width, h = img->height;
  g_autoptr (FbCanvas) grey = fb_canvas_new (w, h, 1);
  g_autoptr (FbCanvas) tensor = fb_canvas_new (w, h, 3);
  FbCanvas *field = fb_canvas_new (w, h, 2);
  int x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      fb_canvas_at (grey, x, y)[0] = fb_luma (fb_canvas_at (img, x, y));
  fb_canvas_blur (grey, 1.0f);
  for (y = 0; y < h; y++) {
    const int ym = fb_reflect (y - 1, h), yp = fb_reflect (y + 1, h);
    for (x = 0; x < w; x++) {
      const int xm = fb_reflect (x - 1, w), xp = fb_reflect (x + 1, w);
#define G(X, Y) fb_canvas_at (grey, X, Y)[0]
      const float gx = (G (xp, ym) + 2 * G (xp, y) + G (xp, yp)
          - G (xm, ym) - 2 * G (xm, y) - G (xm, yp)) / 8;
      const float gy = (G (xm, yp) + 2 * G (x, yp) + G (xp, yp)
          - G (xm, ym) - 2 * G (x, ym) - G (xp, ym)) / 8;
#undef G
      float *t = fb_canvas_at (tensor, x, y);
      t[0] = gx * gx;
      t[1] = gx * gy;
      t[2] = gy * gy;
    }
  }
  fb_canvas_blur (tensor, rho);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const float *t = fb_canvas_at (tensor, x, y);
      const float e = t[0] + bias * bias * nx * nx, f = t[1] + bias * bias * nx * ny;
      const float g = t[2] + bias * bias * ny * ny;
      const float root = sqrtf ((e - g) * (e - g) + 4 * f * f);
      const float l1 = 0.5f * (e + g + root), l2 = 0.5f * (e + g - root);
      /* (f, l2 - e) is the eigenvector of the smaller eigenvalue: the tangent. */
      float tx = f, ty = l2 - e;
      if (tx * tx + ty * ty < 1e-12f) {
        tx = e >= g ? 0.0f : 1.0f;
        ty = e >= g ? 1.0f : 0.0f;
      }
      fb_canvas_at (field, x, y)[0] = atan2f (ty, tx);
      fb_canvas_at (field, x, y)[1] = l1 + l2 > 1e-6f ? (l1 - l2) / (l1 + l2) : 0.0f;
    }
  return field;
}

void
fb_canvas_sample (const FbCanvas * img, float x, float y, float *out)
{
  const int x0 = CLAMP ((int) floorf (x), 0, img->width - 2);
  const int y0 = CLAMP ((int) floorf (y), 0, img->height - 2);
  const float fx = CLAMP (x - x0, 0.0f, 1.0f), fy = CLAMP (y - y0, 0.0f, 1.0f);
  int c;

  for (c = 0; c < img->channels; c++) {
    const float a = fb_canvas_at (img, x0, y0)[c], b = fb_canvas_at (img, x0 + 1, y0)[c];
    const float d = fb_canvas_at (img, x0, y0 + 1)[c], e = fb_canvas_at (img, x0 + 1, y0 + 1)[c];
    out[c] = (a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy;
  }
}

FbImage *
fb_canvas_to_image (const FbCanvas * c, int channels)
{
  FbImage *image = fb_image_new (c->width, c->height, channels);
  int x, y, k;

  for (y = 0; y < c->height; y++)
    for (x = 0; x < c->width; x++) {
      const float *p = fb_canvas_at (c, x, y);
      for (k = 0; k < channels; k++)
        fb_image_row (image, y)[x * channels + k] =
            (uint8_t) (CLAMP (channels == 1 ? fb_luma (p) : p[k], 0.0f, 255.0f) + 0.5f);
    }
  return image;
}

FbCanvas *
fb_canvas_grey (const FbCanvas * img)
{
  FbCanvas *grey = fb_canvas_new (img->width, img->height, 1);
  size_t i, n = (size_t) img->width * img->height;

  for (i = 0; i < n; i++)
    grey->data[i] = fb_luma (img->data + i * img->channels) / 255.0f;
  return grey;
}

FbCanvas *
fb_canvas_streaks (const FbCanvas * texture, const FbCanvas * field, float length)
{
  const int w = texture->width, h = texture->height;
  const int steps = MAX (1, (int) lroundf (length));
  g_autoptr (FbCanvas) tangent = fb_canvas_new (w, h, 2);
  FbCanvas *out = fb_canvas_new (w, h, 1);
  size_t i, n = (size_t) w * h;
  double sum = 0, sum2 = 0;
  float mean, deviation;
  int x, y, direction, k;

  for (i = 0; i < n; i++) {
    tangent->data[2 * i] = cosf (field->data[2 * i]);
    tangent->data[2 * i + 1] = sinf (field->data[2 * i]);
  }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      float acc = 0, weight = 0;
      for (direction = -1; direction <= 1; direction += 2) {
        float px = x, py = y, dx = 0, dy = 0;
        for (k = direction < 0 ? 0 : 1; k <= steps; k++) {
          /* a tent filter: the middle of a stroke counts most */
          const float wk = 1.0f - (float) k / (steps + 1);
          float value;
          if (k > 0) {
            const int ix = CLAMP ((int) lroundf (px), 0, w - 1);
            const int iy = CLAMP ((int) lroundf (py), 0, h - 1);
            float tx = fb_canvas_at (tangent, ix, iy)[0] * direction;
            float ty = fb_canvas_at (tangent, ix, iy)[1] * direction;
            /* the field's angle is a line, not an arrow: keep going the same way */
            if (tx * dx + ty * dy < 0) {
              tx = -tx;
              ty = -ty;
            }
            px += tx;
            py += ty;
            dx = tx;
            dy = ty;
            if (px < 0 || py < 0 || px > w - 1 || py > h - 1)
              break;
          }
          fb_canvas_sample (texture, px, py, &value);
          acc += wk * value;
          weight += wk;
        }
      }
      fb_canvas_at (out, x, y)[0] = acc / weight;
    }
  for (i = 0; i < n; i++) {
    sum += out->data[i];
    sum2 += (double) out->data[i] * out->data[i];
  }
  mean = (float) (sum / n);
  deviation = (float) sqrt (MAX (sum2 / n - (sum / n) * (sum / n), 1e-12));
  for (i = 0; i < n; i++)
    out->data[i] = (out->data[i] - mean) / deviation;
  return out;
}

FbCanvas *
fb_canvas_outlines (const FbCanvas * grey, float sigma, float phi)
{
  const float tau = 0.98f;
  g_autoptr (FbCanvas) fine = fb_canvas_copy (grey);
  g_autoptr (FbCanvas) coarse = fb_canvas_copy (grey);
  FbCanvas *out = fb_canvas_new (grey->width, grey->height, 1);
  size_t i, n = (size_t) grey->width * grey->height;

  fb_canvas_blur (fine, sigma);
  fb_canvas_blur (coarse, 1.6f * sigma);
  for (i = 0; i < n; i++) {
    const float d = fine->data[i] - tau * coarse->data[i];
    out->data[i] = d >= 0 ? 0.0f : CLAMP (-tanhf (phi * d), 0.0f, 1.0f);
  }
  return out;
}

float
fb_paper_grain (int x, int y, uint32_t seed)
{
  return 0.55f * fb_hash_unit (x, y, seed) + 0.45f * fb_value_noise (x * 0.3f, y * 0.3f,
      seed + 1);
}
