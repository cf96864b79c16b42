/* faceblit-paint — the project's own painterly filter: turns a photograph into an oil
 * painting (anisotropic Kuwahara smoothing, a gently posterised palette, layers of
 * bristle brush strokes that follow the image's forms, impasto relief and paper grain).
 * The project uses it to make its default style exemplar from a public-domain portrait.
 * Deterministic: the same input, options and seed give the same bytes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "fb-image-io.h"
#include "fb-tool-util.h"

/* A float image, channels interleaved, values 0..255. */
typedef struct {
  int width;
  int height;
  int channels;
  float *data;
} Canvas;

static Canvas *
canvas_new (int width, int height, int channels)
{
  Canvas *c = g_new0 (Canvas, 1);

  c->width = width;
  c->height = height;
  c->channels = channels;
  c->data = g_new0 (float, (size_t) width * height * channels);
  return c;
}

static void
canvas_free (Canvas * c)
{
  if (!c)
    return;
  g_free (c->data);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Canvas, canvas_free)

static inline float *
canvas_at (const Canvas * c, int x, int y)
{
  return c->data + ((size_t) y * c->width + x) * c->channels;
}

static Canvas *
canvas_copy (const Canvas * c)
{
  Canvas *copy = canvas_new (c->width, c->height, c->channels);

  memcpy (copy->data, c->data, sizeof (float) * c->width * c->height * c->channels);
  return copy;
}

static inline float
luma (const float *rgb)
{
  return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
}

static inline float
smoothstep (float e0, float e1, float x)
{
  float t = CLAMP ((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

/* Reflect an index into [0, n): the crop may reach past the photo's edges. */
static inline int
reflect (int i, int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

/* ---- Deterministic noise ------------------------------------------------------------ */

static inline uint32_t
hash32 (uint32_t x)
{
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static inline float
hash_unit (uint32_t a, uint32_t b, uint32_t c)
{
  return hash32 (a ^ hash32 (b ^ hash32 (c))) * (1.0f / 4294967296.0f);
}

/* Smooth value noise in [0, 1) with lattice spacing 1. */
static float
value_noise (float x, float y, uint32_t seed)
{
  const int xi = (int) floorf (x), yi = (int) floorf (y);
  const float fx = smoothstep (0, 1, x - xi), fy = smoothstep (0, 1, y - yi);
  const float a = hash_unit (xi, yi, seed), b = hash_unit (xi + 1, yi, seed);
  const float c = hash_unit (xi, yi + 1, seed), d = hash_unit (xi + 1, yi + 1, seed);

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

static void
gaussian_blur (Canvas * img, float sigma)
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
    float *row = canvas_at (img, 0, y);
    memcpy (line, row, sizeof (float) * img->width * n);
    for (x = 0; x < img->width; x++)
      for (c = 0; c < n; c++) {
        float acc = 0;
        for (k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * line[reflect (x + k, img->width) * n + c];
        row[x * n + c] = acc;
      }
  }
  for (x = 0; x < img->width; x++) {
    for (y = 0; y < img->height; y++)
      memcpy (line + y * n, canvas_at (img, x, y), sizeof (float) * n);
    for (y = 0; y < img->height; y++)
      for (c = 0; c < n; c++) {
        float acc = 0;
        for (k = -radius; k <= radius; k++)
          acc += kernel[k + radius] * line[reflect (y + k, img->height) * n + c];
        canvas_at (img, x, y)[c] = acc;
      }
  }
  g_free (line);
  g_free (kernel);
}

/* The crop rectangle (in photo pixels, may reach outside) scaled to out_w x out_h. */
static Canvas *
crop_and_scale (const FbImage * photo, const double crop[4], int out_w, int out_h)
{
  const float sx = crop[2] / out_w, sy = crop[3] / out_h;
  g_autoptr (Canvas) src = canvas_new (photo->width, photo->height, 3);
  Canvas *out = canvas_new (out_w, out_h, 3);
  int x, y, c, i, j;

  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++)
      for (c = 0; c < 3; c++)
        canvas_at (src, x, y)[c] = fb_image_row (photo, y)[x * photo->channels + c];
  /* Shrinking: remove what the output grid cannot hold first. */
  if (MAX (sx, sy) > 1.0f)
    gaussian_blur (src, 0.5f * MAX (sx, sy));

  for (y = 0; y < out_h; y++) {
    const float v = crop[1] + (y + 0.5f) * sy - 0.5f;
    const int v0 = (int) floorf (v);
    for (x = 0; x < out_w; x++) {
      const float u = crop[0] + (x + 0.5f) * sx - 0.5f;
      const int u0 = (int) floorf (u);
      float acc[3] = { 0, 0, 0 };
      for (j = 0; j < 4; j++) {
        const float wy = catmull_rom (v - v0, j);
        const int yy = reflect (v0 - 1 + j, photo->height);
        for (i = 0; i < 4; i++) {
          const float w = wy * catmull_rom (u - u0, i);
          const float *p = canvas_at (src, reflect (u0 - 1 + i, photo->width), yy);
          for (c = 0; c < 3; c++)
            acc[c] += w * p[c];
        }
      }
      for (c = 0; c < 3; c++)
        canvas_at (out, x, y)[c] = CLAMP (acc[c], 0.0f, 255.0f);
    }
  }
  return out;
}

static void
unsharp_mask (Canvas * img, float sigma, float amount)
{
  g_autoptr (Canvas) blurred = canvas_copy (img);
  size_t i, n = (size_t) img->width * img->height * img->channels;

  gaussian_blur (blurred, sigma);
  for (i = 0; i < n; i++)
    img->data[i] = CLAMP (img->data[i] + amount * (img->data[i] - blurred->data[i]), 0.0f,
        255.0f);
}

/* ---- Orientation field --------------------------------------------------------------- */

/* Per pixel: the tangent angle (along edges, across the gradient) and the anisotropy
 * in [0, 1] of the structure tensor smoothed over rho. A weak constant tensor (grey
 * level contrast `bias`) across `default_angle` makes flat areas, whose own direction
 * is noise, take that direction: a painter's habitual diagonal hatching. */
static Canvas *
orientation_field (const Canvas * img, float rho, float default_angle, float bias)
{
  const float nx = -sinf (default_angle), ny = cosf (default_angle);
  const int w = img->width, h = img->height;
  g_autoptr (Canvas) grey = canvas_new (w, h, 1);
  g_autoptr (Canvas) tensor = canvas_new (w, h, 3);
  Canvas *field = canvas_new (w, h, 2);
  int x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      canvas_at (grey, x, y)[0] = luma (canvas_at (img, x, y));
  gaussian_blur (grey, 1.0f);
  for (y = 0; y < h; y++) {
    const int ym = reflect (y - 1, h), yp = reflect (y + 1, h);
    for (x = 0; x < w; x++) {
      const int xm = reflect (x - 1, w), xp = reflect (x + 1, w);
#define G(X, Y) canvas_at (grey, X, Y)[0]
      const float gx = (G (xp, ym) + 2 * G (xp, y) + G (xp, yp)
          - G (xm, ym) - 2 * G (xm, y) - G (xm, yp)) / 8;
      const float gy = (G (xm, yp) + 2 * G (x, yp) + G (xp, yp)
          - G (xm, ym) - 2 * G (x, ym) - G (xp, ym)) / 8;
#undef G
      float *t = canvas_at (tensor, x, y);
      t[0] = gx * gx;
      t[1] = gx * gy;
      t[2] = gy * gy;
    }
  }
  gaussian_blur (tensor, rho);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const float *t = canvas_at (tensor, x, y);
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
      canvas_at (field, x, y)[0] = atan2f (ty, tx);
      canvas_at (field, x, y)[1] = l1 + l2 > 1e-6f ? (l1 - l2) / (l1 + l2) : 0.0f;
    }
  return field;
}

/* ---- Anisotropic Kuwahara filter (Kyprianidis et al. 2009, polynomial sectors) ------- */

typedef struct {
  const Canvas *src;
  const Canvas *field;
  Canvas *dst;
  float radius;
  float q;                      /* sharpness of the choice between sectors */
  int y0, y1;
} KuwaharaBand;

#define KUWAHARA_SECTORS 8

static void
kuwahara_sector_weights (float vx, float vy, float w[KUWAHARA_SECTORS])
{
  const float zeta = 0.33f;
  const float sin_n = sinf ((float) G_PI / KUWAHARA_SECTORS);
  const float eta = (zeta + cosf ((float) G_PI / KUWAHARA_SECTORS)) / (sin_n * sin_n);
  float rx, ry, xx, yy, z;
  int half;

  for (half = 0; half < 2; half++) {
    /* the odd sectors are the even ones turned by 45 degrees */
    rx = half ? (float) G_SQRT2 / 2 * (vx - vy) : vx;
    ry = half ? (float) G_SQRT2 / 2 * (vx + vy) : vy;
    xx = zeta - eta * rx * rx;
    yy = zeta - eta * ry * ry;
    z = MAX (0.0f, ry + xx);
    w[0 + half] = z * z;
    z = MAX (0.0f, -rx + yy);
    w[2 + half] = z * z;
    z = MAX (0.0f, -ry + xx);
    w[4 + half] = z * z;
    z = MAX (0.0f, rx + yy);
    w[6 + half] = z * z;
  }
}

static gpointer
kuwahara_band (gpointer data)
{
  const KuwaharaBand *b = data;
  const Canvas *src = b->src;
  int x, y, i, j, k, c;

  for (y = b->y0; y < b->y1; y++)
    for (x = 0; x < src->width; x++) {
      const float *f = canvas_at (b->field, x, y);
      const float angle = f[0], aniso = f[1];
      /* Stretch the filter along the edges where the image is anisotropic. */
      const float a = b->radius * (1.0f + aniso);
      const float bb = b->radius / (1.0f + aniso);
      const float ca = cosf (angle), sa = sinf (angle);
      const int max_x = (int) sqrtf (a * a * ca * ca + bb * bb * sa * sa);
      const int max_y = (int) sqrtf (a * a * sa * sa + bb * bb * ca * ca);
      float m[KUWAHARA_SECTORS][4] = { {0} }, s[KUWAHARA_SECTORS][3] = { {0} };
      float out[4] = { 0, 0, 0, 0 };

      for (j = -max_y; j <= max_y; j++)
        for (i = -max_x; i <= max_x; i++) {
          /* into the unit-disc frame of the ellipse (radius 0.5) */
          const float vx = (ca * i + sa * j) * 0.5f / a;
          const float vy = (-sa * i + ca * j) * 0.5f / bb;
          const float d2 = vx * vx + vy * vy;
          float w[KUWAHARA_SECTORS], sum = 0, g;
          const float *p;

          if (d2 > 0.25f)
            continue;
          p = canvas_at (src, reflect (x + i, src->width), reflect (y + j, src->height));
          kuwahara_sector_weights (vx, vy, w);
          for (k = 0; k < KUWAHARA_SECTORS; k++)
            sum += w[k];
          g = expf (-3.125f * d2) / sum;
          for (k = 0; k < KUWAHARA_SECTORS; k++) {
            const float wk = w[k] * g;
            for (c = 0; c < 3; c++) {
              m[k][c] += p[c] * wk;
              s[k][c] += p[c] * p[c] * wk;
            }
            m[k][3] += wk;
          }
        }
      for (k = 0; k < KUWAHARA_SECTORS; k++) {
        float var = 0, wk;
        if (m[k][3] <= 0)
          continue;
        for (c = 0; c < 3; c++) {
          const float mean = m[k][c] / m[k][3];
          var += fabsf (s[k][c] / m[k][3] - mean * mean);
          m[k][c] = mean;
        }
        /* variance in 0..1 units, as in the original formulation */
        wk = 1.0f / (1.0f + powf (var / (255.0f * 255.0f) * 255.0f, 0.5f * b->q));
        for (c = 0; c < 3; c++)
          out[c] += m[k][c] * wk;
        out[3] += wk;
      }
      for (c = 0; c < 3; c++)
        canvas_at (b->dst, x, y)[c] = out[3] > 0 ? out[c] / out[3] : canvas_at (src, x,
            y)[c];
    }
  return NULL;
}

static Canvas *
kuwahara (const Canvas * src, const Canvas * field, float radius, float q)
{
  const int n_threads = CLAMP ((int) g_get_num_processors (), 1, 16);
  KuwaharaBand bands[16];
  GThread *threads[16];
  Canvas *dst = canvas_new (src->width, src->height, 3);
  int i;

  for (i = 0; i < n_threads; i++) {
    bands[i] = (KuwaharaBand) {
    src, field, dst, radius, q, src->height * i / n_threads,
          src->height * (i + 1) / n_threads};
    threads[i] = i ? g_thread_new ("kuwahara", kuwahara_band, &bands[i]) : NULL;
  }
  kuwahara_band (&bands[0]);
  for (i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);
  return dst;
}

/* ---- Palette ------------------------------------------------------------------------- */

/* Soft steps in brightness (the colour keeps its hue) and a little more saturation: a
 * painter's limited, mixed palette rather than a photograph's continuous one. */
static void
posterise (Canvas * img, int levels, float saturation)
{
  size_t i, n = (size_t) img->width * img->height;

  for (i = 0; i < n; i++) {
    float *p = img->data + i * 3;
    const float y = luma (p);
    const float t = y / 255.0f * levels;
    const float step = floorf (t);
    const float quantised = (step + smoothstep (0.3f, 0.7f, t - step)) / levels * 255.0f;
    const float ratio = quantised / MAX (y, 1.0f);
    int c;
    for (c = 0; c < 3; c++) {
      const float v = y + (p[c] - y) * saturation;
      p[c] = CLAMP (v * ratio, 0.0f, 255.0f);
    }
  }
}

/* ---- Brush strokes (after Hertzmann 1998: coarse to fine, where the canvas differs) -- */

#define STROKE_MAX_POINTS 24
/* where the picture has no direction of its own: up to the right, 60 degrees */
#define STROKE_DEFAULT_ANGLE (-G_PI / 3)

typedef struct {
  float x[STROKE_MAX_POINTS];
  float y[STROKE_MAX_POINTS];
  int n_points;
  float colour[3];
  float radius;
  uint32_t seed;
} Stroke;

typedef struct {
  Canvas *colour;               /* the painting so far */
  Canvas *flat;                 /* the same without brush texture: what the strokes
                                 * are judged against, so texture is not "error" */
  Canvas *height;               /* paint relief, for the impasto lighting */
  Canvas *coverage;             /* 1 where paint has been laid */
  /* per-pixel scratch for one stroke at a time: the nearest skeleton point */
  guint32 *owner;
  float *best_d;                /* signed distance across the stroke */
  float *best_s;                /* arc length along it */
  guint32 next_owner;
} Painting;

static float
colour_distance (const float *a, const float *b)
{
  const float dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
  return sqrtf (dr * dr + dg * dg + db * db);
}

static void
sample_bilinear (const Canvas * img, float x, float y, float *out)
{
  const int x0 = CLAMP ((int) floorf (x), 0, img->width - 2);
  const int y0 = CLAMP ((int) floorf (y), 0, img->height - 2);
  const float fx = CLAMP (x - x0, 0.0f, 1.0f), fy = CLAMP (y - y0, 0.0f, 1.0f);
  int c;

  for (c = 0; c < img->channels; c++) {
    const float a = canvas_at (img, x0, y0)[c], b = canvas_at (img, x0 + 1, y0)[c];
    const float d = canvas_at (img, x0, y0 + 1)[c], e = canvas_at (img, x0 + 1, y0 + 1)[c];
    out[c] = (a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy;
  }
}

/* Grows a stroke from (x, y) along the orientation field while the reference keeps
 * the stroke's colour (and, once long enough, while painting still improves on the
 * canvas). Both directions of the tangent are followed. */
static void
grow_stroke (Stroke * stroke, const Canvas * ref, const Canvas * field,
    const Painting * painting, float x, float y, float radius, float tolerance,
    int max_points)
{
  const float step = radius * 0.9f;
  float px[STROKE_MAX_POINTS], py[STROKE_MAX_POINTS];
  int n_fwd = 0, n_back = 0, direction, i;

  sample_bilinear (ref, x, y, stroke->colour);
  stroke->radius = radius;
  for (direction = 0; direction < 2; direction++) {
    float cx = x, cy = y, dx = 0, dy = 0;
    int *count = direction ? &n_back : &n_fwd;
    int budget = direction ? max_points / 2 : max_points - max_points / 2;
    float *bx = direction ? px : stroke->x, *by = direction ? py : stroke->y;

    if (!direction) {
      bx[0] = x;
      by[0] = y;
      *count = 1;
      budget--;
    }
    while (budget-- > 0) {
      float f[2], ref_c[3], canvas_c[3], tx, ty;
      sample_bilinear (field, cx, cy, f);
      tx = cosf (f[0]);
      ty = sinf (f[0]);
      if (dx == 0 && dy == 0) {
        if (direction) {
          tx = -tx;
          ty = -ty;
        }
      } else if (tx * dx + ty * dy < 0) {
        tx = -tx;
        ty = -ty;
      }
      /* some inertia: brushes do not turn on the spot */
      if (dx != 0 || dy != 0) {
        float len;
        tx = 0.7f * tx + 0.3f * dx;
        ty = 0.7f * ty + 0.3f * dy;
        len = sqrtf (tx * tx + ty * ty);
        tx /= len;
        ty /= len;
      }
      cx += step * tx;
      cy += step * ty;
      dx = tx;
      dy = ty;
      if (cx < 0 || cy < 0 || cx > ref->width - 1 || cy > ref->height - 1)
        break;
      sample_bilinear (ref, cx, cy, ref_c);
      sample_bilinear (painting->flat, cx, cy, canvas_c);
      if (colour_distance (ref_c, stroke->colour) > tolerance)
        break;
      if (n_fwd + n_back >= 4 && colour_distance (ref_c, stroke->colour)
          > colour_distance (ref_c, canvas_c))
        break;
      bx[*count] = cx;
      by[*count] = cy;
      (*count)++;
    }
  }
  /* backward points first (reversed), then the forward ones */
  memmove (stroke->x + n_back, stroke->x, sizeof (float) * n_fwd);
  memmove (stroke->y + n_back, stroke->y, sizeof (float) * n_fwd);
  for (i = 0; i < n_back; i++) {
    stroke->x[i] = px[n_back - 1 - i];
    stroke->y[i] = py[n_back - 1 - i];
  }
  stroke->n_points = n_fwd + n_back;
}

/* Lays one stroke: a flat brush of bristles whose paint thins towards the end of the
 * stroke, with a slightly darker rim where paint piles up at its edges. */
static void
render_stroke (Painting * painting, const Stroke * stroke)
{
  Canvas *colour = painting->colour;
  const int w = colour->width, h = colour->height;
  const float r = stroke->radius, reach = r + 1.0f;
  const guint32 owner = ++painting->next_owner;
  const int n_bristles = MAX (4, (int) (r * 1.6f));
  float length = 0, x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT;
  float seg_start[STROKE_MAX_POINTS];
  int i, x, y, c, bx0, by0, bx1, by1;

  for (i = 0; i < stroke->n_points; i++) {
    if (i > 0)
      length += hypotf (stroke->x[i] - stroke->x[i - 1], stroke->y[i] - stroke->y[i - 1]);
    seg_start[i] = length;
    x0 = MIN (x0, stroke->x[i]);
    x1 = MAX (x1, stroke->x[i]);
    y0 = MIN (y0, stroke->y[i]);
    y1 = MAX (y1, stroke->y[i]);
  }
  bx0 = MAX (0, (int) floorf (x0 - reach));
  by0 = MAX (0, (int) floorf (y0 - reach));
  bx1 = MIN (w - 1, (int) ceilf (x1 + reach));
  by1 = MIN (h - 1, (int) ceilf (y1 + reach));

  /* Nearest point of the skeleton for every pixel of the stroke's box. A single point
   * is a dab: a segment of length zero. */
  for (i = 0; i < MAX (1, stroke->n_points - 1); i++) {
    const int j = MIN (i + 1, stroke->n_points - 1);
    const float ax = stroke->x[i], ay = stroke->y[i];
    const float dx = stroke->x[j] - ax, dy = stroke->y[j] - ay;
    const float seg_len2 = dx * dx + dy * dy, seg_len = sqrtf (seg_len2);
    const int sx0 = MAX (bx0, (int) floorf (MIN (ax, ax + dx) - reach));
    const int sx1 = MIN (bx1, (int) ceilf (MAX (ax, ax + dx) + reach));
    const int sy0 = MAX (by0, (int) floorf (MIN (ay, ay + dy) - reach));
    const int sy1 = MIN (by1, (int) ceilf (MAX (ay, ay + dy) + reach));
    const float nx = seg_len > 0 ? -dy / seg_len : 0, ny = seg_len > 0 ? dx / seg_len : 1;

    for (y = sy0; y <= sy1; y++)
      for (x = sx0; x <= sx1; x++) {
        const size_t idx = (size_t) y * w + x;
        const float px = x - ax, py = y - ay;
        const float t = seg_len2 > 0 ? CLAMP ((px * dx + py * dy) / seg_len2, 0.0f,
            1.0f) : 0.0f;
        const float ex = px - t * dx, ey = py - t * dy;
        const float dist = sqrtf (ex * ex + ey * ey);
        if (dist > reach)
          continue;
        if (painting->owner[idx] != owner || dist < fabsf (painting->best_d[idx])) {
          painting->owner[idx] = owner;
          /* signed, so that bristles stay parallel along the whole stroke */
          painting->best_d[idx] = (px * nx + py * ny) >= 0 ? dist : -dist;
          painting->best_s[idx] = seg_start[i] + t * seg_len;
        }
      }
  }

  for (y = by0; y <= by1; y++)
    for (x = bx0; x <= bx1; x++) {
      const size_t idx = (size_t) y * w + x;
      float across, along, bristle, alpha, shade, *p, *flat, *height;
      if (painting->owner[idx] != owner)
        continue;
      across = painting->best_d[idx] / r;       /* -1..1 inside */
      along = length > 0 ? painting->best_s[idx] / length : 0.5f;
      bristle = value_noise ((across + 1.0f) * 0.5f * n_bristles, 0.5f, stroke->seed);
      /* soft edge; dry brush: thin bristles give out towards the end of the stroke */
      alpha = smoothstep (1.0f, 0.75f, fabsf (across))
          * (1.0f - smoothstep (0.55f, 1.0f, along) * smoothstep (0.55f, 0.2f, bristle))
          * smoothstep (0.0f, 0.08f, along + 0.08f);
      if (alpha <= 0)
        continue;
      alpha *= 0.93f;
      shade = (1.0f + 0.22f * (bristle - 0.5f)) * (1.0f - 0.07f * smoothstep (0.55f,
              1.0f, fabsf (across)));
      p = canvas_at (colour, x, y);
      flat = canvas_at (painting->flat, x, y);
      for (c = 0; c < 3; c++) {
        p[c] += alpha * (CLAMP (stroke->colour[c] * shade, 0.0f, 255.0f) - p[c]);
        flat[c] += alpha * (stroke->colour[c] - flat[c]);
      }
      height = canvas_at (painting->height, x, y);
      *height += alpha * (0.35f + 0.65f * bristle - *height);
      canvas_at (painting->coverage, x, y)[0] = 1.0f;
    }
}

static void
paint_layer (Painting * painting, const Canvas * ref, const Canvas * field, float radius,
    float threshold, float tolerance, int max_points, uint32_t seed)
{
  const int w = ref->width, h = ref->height;
  const int grid = MAX (1, (int) radius);
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (Stroke));
  int gx, gy, x, y;
  guint i;

  /* Plan every stroke against the canvas as it was before this layer, as Hertzmann
   * does, then lay them in a shuffled order so that no raster pattern shows. */
  for (gy = 0; gy < h; gy += grid)
    for (gx = 0; gx < w; gx += grid) {
      float sum = 0, worst = -1;
      int wx = gx, wy = gy, n = 0;
      Stroke stroke;
      for (y = gy; y < MIN (h, gy + grid); y++)
        for (x = gx; x < MIN (w, gx + grid); x++) {
          const float covered = canvas_at (painting->coverage, x, y)[0];
          const float d = covered > 0 ? colour_distance (canvas_at (ref, x, y),
              canvas_at (painting->flat, x, y)) : G_MAXFLOAT / 1e6f;
          sum += d;
          n++;
          if (d > worst) {
            worst = d;
            wx = x;
            wy = y;
          }
        }
      if (sum / n < threshold)
        continue;
      /* a little jitter so that strokes do not start on a grid */
      grow_stroke (&stroke, ref, field, painting,
          wx + (hash_unit (gx, gy, seed) - 0.5f) * 0.5f * grid,
          wy + (hash_unit (gx, gy, seed + 1) - 0.5f) * 0.5f * grid, radius, tolerance,
          max_points);
      stroke.seed = hash32 (seed ^ hash32 (gx * 7919 + gy * 104729));
      g_array_append_val (strokes, stroke);
    }
  for (i = strokes->len; i > 1; i--) {
    const guint j = hash32 (seed + i) % i;
    Stroke tmp = g_array_index (strokes, Stroke, i - 1);
    g_array_index (strokes, Stroke, i - 1) = g_array_index (strokes, Stroke, j);
    g_array_index (strokes, Stroke, j) = tmp;
  }
  for (i = 0; i < strokes->len; i++)
    render_stroke (painting, &g_array_index (strokes, Stroke, i));
  g_print ("  brush %4.1f px: %u strokes\n", radius, strokes->len);
  g_array_free (strokes, TRUE);
}

/* ---- Finish: relief lighting and paper ------------------------------------------------ */

static void
finish (Canvas * colour, Canvas * height, float relief, float grain, uint32_t seed)
{
  const int w = colour->width, h = colour->height;
  int x, y, c;

  gaussian_blur (height, 1.0f);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      /* light from the top left catches the ridges of the bristle marks */
      const float slope = canvas_at (height, reflect (x - 1, w), reflect (y - 1, h))[0]
          - canvas_at (height, reflect (x + 1, w), reflect (y + 1, h))[0];
      const float paper = 0.6f * value_noise (x * 0.9f, y * 0.9f, seed)
          + 0.4f * value_noise (x * 0.25f, y * 0.25f, seed + 1);
      const float light = (1.0f + relief * slope) * (1.0f + grain * (paper - 0.5f));
      float *p = canvas_at (colour, x, y);
      for (c = 0; c < 3; c++)
        p[c] = CLAMP (p[c] * light, 0.0f, 255.0f);
    }
}

/* ---- Command line -------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  g_autofree char *crop_text = NULL, *size_text = NULL;
  double stroke_scale = 1.0, relief = 1.0;
  int seed = 1;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    {"crop", 'c', 0, G_OPTION_ARG_STRING, &crop_text,
        "Region of INPUT to paint, in its pixels (may reach past the edges, which are "
          "mirrored). Default: all of it", "X,Y,W,H"},
    {"size", 's', 0, G_OPTION_ARG_STRING, &size_text,
        "Size of the painting. Default: the crop's size", "WxH"},
    {"stroke-scale", 0, 0, G_OPTION_ARG_DOUBLE, &stroke_scale,
        "Multiply every brush size by this (default 1: brush radii from 1.2 % down to "
          "0.18 % of the painting's diagonal)", "F"},
    {"relief", 0, 0, G_OPTION_ARG_DOUBLE, &relief,
        "Strength of the impasto lighting, 0 for flat paint (default 1)", "F"},
    {"seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the brush randomness (default 1)",
        "N"},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Overwrite OUTPUT if it exists", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("INPUT OUTPUT.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) photo = NULL;
  g_autoptr (FbImage) result = NULL;
  g_autoptr (FbToolOutput) output = NULL;
  g_autoptr (Canvas) image = NULL, smooth = NULL, field = NULL;
  Painting painting = { 0 };
  double crop[4], size[2];
  float diagonal, base_radius;
  int width, height, x, y, c, layer;
  /* coarse to fine: brush radius (x base), error threshold, colour tolerance, length */
  static const struct {
    float radius, threshold, tolerance;
    int max_points;
  } layers[] = {
    {4.0f, 0.0f, 38.0f, 18},
    {2.0f, 16.0f, 30.0f, 14},
    {1.0f, 20.0f, 24.0f, 10},
    {0.6f, 28.0f, 20.0f, 8},
  };

  /* The terminal's character set for messages; numbers stay in C format for files. */
  setlocale (LC_CTYPE, "");
  g_option_context_set_summary (context,
      "Paints INPUT (PNG or JPEG) in oils and writes OUTPUT.png: the project's own\n"
      "painterly filter, used to make its default style exemplar (see tools/make-default-style).\n"
      "The result depends only on INPUT and the options.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fb_tool_usage (context, error->message);
  if (argc != 3)
    return fb_tool_usage (context, "Give an INPUT image and an OUTPUT.png");
  if (stroke_scale <= 0.1 || stroke_scale > 10 || relief < 0 || relief > 10)
    return fb_tool_usage (context, "--stroke-scale must be in (0.1, 10], --relief in [0, 10]");

  photo = fb_image_load (argv[1], &error);
  if (!photo)
    return fb_tool_fail (error);
  if (crop_text) {
    if (!fb_tool_parse_numbers (crop_text, ",", crop, 4) || crop[2] < 8 || crop[3] < 8)
      return fb_tool_usage (context, "--crop wants X,Y,W,H with W and H at least 8");
  } else {
    crop[0] = crop[1] = 0;
    crop[2] = photo->width;
    crop[3] = photo->height;
  }
  if (size_text) {
    if (!fb_tool_parse_numbers (size_text, "x", size, 2) || size[0] < 16 || size[1] < 16
        || size[0] > 8192 || size[1] > 8192)
      return fb_tool_usage (context, "--size wants WxH, each from 16 to 8192");
  } else {
    size[0] = MIN (8192, round (crop[2]));
    size[1] = MIN (8192, round (crop[3]));
  }
  width = (int) size[0];
  height = (int) size[1];
  output = fb_tool_output_begin (argv[2], force, &error);
  if (!output)
    return fb_tool_fail (error);

  diagonal = hypotf (width, height);
  base_radius = (float) (diagonal * 0.003 * stroke_scale);
  g_print ("Painting %s (%dx%d)\n", argv[1], width, height);

  image = crop_and_scale (photo, crop, width, height);
  field = orientation_field (image, 2.0f * base_radius, 0, 0);
  /* A painter states the darks and lights of features more firmly than a photo. */
  unsharp_mask (image, 1.2f * base_radius, 0.8f);
  /* Oil smoothing: flat patches of colour with crisp edges. */
  smooth = kuwahara (image, field, 2.0f * base_radius, 8.0f);
  posterise (smooth, 12, 1.12f);

  painting.colour = canvas_new (width, height, 3);
  painting.flat = canvas_new (width, height, 3);
  painting.height = canvas_new (width, height, 1);
  painting.coverage = canvas_new (width, height, 1);
  painting.owner = g_new0 (guint32, (size_t) width * height);
  painting.best_d = g_new (float, (size_t) width * height);
  painting.best_s = g_new (float, (size_t) width * height);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < 3; c++)   /* warm primed canvas where no paint lands */
        canvas_at (painting.colour, x, y)[c] = canvas_at (painting.flat, x, y)[c] =
            (float[3]) {
        232, 222, 203}[c];

  for (layer = 0; layer < (int) G_N_ELEMENTS (layers); layer++) {
    const float radius = layers[layer].radius * base_radius;
    g_autoptr (Canvas) ref = canvas_copy (smooth);
    g_autoptr (Canvas) layer_field = orientation_field (smooth, 3.0f * radius,
        STROKE_DEFAULT_ANGLE, 3.0f);
    gaussian_blur (ref, 0.5f * radius);
    paint_layer (&painting, ref, layer_field, radius, layers[layer].threshold,
        layers[layer].tolerance, layers[layer].max_points, (uint32_t) seed * 977u + layer);
  }
  finish (painting.colour, painting.height, (float) (0.7 * relief), 0.06f,
      (uint32_t) seed);

  result = fb_image_new (width, height, 3);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < 3; c++)
        fb_image_row (result, y)[x * 3 + c] =
            (uint8_t) (canvas_at (painting.colour, x, y)[c] + 0.5f);
  canvas_free (painting.colour);
  canvas_free (painting.flat);
  canvas_free (painting.height);
  canvas_free (painting.coverage);
  g_free (painting.owner);
  g_free (painting.best_d);
  g_free (painting.best_s);

  if (!fb_image_save_png (result, output->temp_path, &error)
      || !fb_tool_output_commit (output, &error))
    return fb_tool_fail (error);
  g_print ("Wrote %s\n", argv[2]);
  return 0;
}
