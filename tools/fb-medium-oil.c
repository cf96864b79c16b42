/* faceblit — the oil medium: an anisotropic Kuwahara smoothing, a gently posterised
 * palette, layers of bristle brush strokes that follow the image's forms, impasto
 * relief and paper grain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-medium.h"

#include <math.h>
#include <string.h>

/* ---- Anisotropic Kuwahara filter (Kyprianidis et al. 2009, polynomial sectors) ------- */

typedef struct {
  const FbCanvas *src;
  const FbCanvas *field;
  FbCanvas *dst;
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
  const FbCanvas *src = b->src;
  int x, y, i, j, k, c;

  for (y = b->y0; y < b->y1; y++)
    for (x = 0; x < src->width; x++) {
      const float *f = fb_canvas_at (b->field, x, y);
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
          p = fb_canvas_at (src, fb_reflect (x + i, src->width), fb_reflect (y + j, src->height));
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
        fb_canvas_at (b->dst, x, y)[c] = out[3] > 0 ? out[c] / out[3] : fb_canvas_at (src, x,
            y)[c];
    }
  return NULL;
}

static FbCanvas *
kuwahara (const FbCanvas * src, const FbCanvas * field, float radius, float q)
{
  const int n_threads = CLAMP ((int) g_get_num_processors (), 1, 16);
  KuwaharaBand bands[16];
  GThread *threads[16];
  FbCanvas *dst = fb_canvas_new (src->width, src->height, 3);
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
posterise (FbCanvas * img, int levels, float saturation)
{
  size_t i, n = (size_t) img->width * img->height;

  for (i = 0; i < n; i++) {
    float *p = img->data + i * 3;
    const float y = fb_luma (p);
    const float t = y / 255.0f * levels;
    const float step = floorf (t);
    const float quantised = (step + fb_smoothstep (0.3f, 0.7f, t - step)) / levels * 255.0f;
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
  FbCanvas *colour;               /* the painting so far */
  FbCanvas *flat;                 /* the same without brush texture: what the strokes
                                 * are judged against, so texture is not "error" */
  FbCanvas *height;               /* paint relief, for the impasto lighting */
  FbCanvas *coverage;             /* 1 where paint has been laid */
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

/* Grows a stroke from (x, y) along the orientation field while the reference keeps
 * the stroke's colour (and, once long enough, while painting still improves on the
 * canvas). Both directions of the tangent are followed. */
static void
grow_stroke (Stroke * stroke, const FbCanvas * ref, const FbCanvas * field,
    const Painting * painting, float x, float y, float radius, float tolerance,
    int max_points)
{
  const float step = radius * 0.9f;
  float px[STROKE_MAX_POINTS], py[STROKE_MAX_POINTS];
  int n_fwd = 0, n_back = 0, direction, i;

  fb_canvas_sample (ref, x, y, stroke->colour);
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
      fb_canvas_sample (field, cx, cy, f);
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
      fb_canvas_sample (ref, cx, cy, ref_c);
      fb_canvas_sample (painting->flat, cx, cy, canvas_c);
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
  FbCanvas *colour = painting->colour;
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
      bristle = fb_value_noise ((across + 1.0f) * 0.5f * n_bristles, 0.5f, stroke->seed);
      /* soft edge; dry brush: thin bristles give out towards the end of the stroke */
      alpha = fb_smoothstep (1.0f, 0.75f, fabsf (across))
          * (1.0f - fb_smoothstep (0.55f, 1.0f, along) * fb_smoothstep (0.55f, 0.2f, bristle))
          * fb_smoothstep (0.0f, 0.08f, along + 0.08f);
      if (alpha <= 0)
        continue;
      alpha *= 0.93f;
      shade = (1.0f + 0.22f * (bristle - 0.5f)) * (1.0f - 0.07f * fb_smoothstep (0.55f,
              1.0f, fabsf (across)));
      p = fb_canvas_at (colour, x, y);
      flat = fb_canvas_at (painting->flat, x, y);
      for (c = 0; c < 3; c++) {
        p[c] += alpha * (CLAMP (stroke->colour[c] * shade, 0.0f, 255.0f) - p[c]);
        flat[c] += alpha * (stroke->colour[c] - flat[c]);
      }
      height = fb_canvas_at (painting->height, x, y);
      *height += alpha * (0.35f + 0.65f * bristle - *height);
      fb_canvas_at (painting->coverage, x, y)[0] = 1.0f;
    }
}

static void
paint_layer (Painting * painting, const FbCanvas * ref, const FbCanvas * field, float radius,
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
          const float covered = fb_canvas_at (painting->coverage, x, y)[0];
          const float d = covered > 0 ? colour_distance (fb_canvas_at (ref, x, y),
              fb_canvas_at (painting->flat, x, y)) : G_MAXFLOAT / 1e6f;
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
          wx + (fb_hash_unit (gx, gy, seed) - 0.5f) * 0.5f * grid,
          wy + (fb_hash_unit (gx, gy, seed + 1) - 0.5f) * 0.5f * grid, radius, tolerance,
          max_points);
      stroke.seed = fb_hash32 (seed ^ fb_hash32 (gx * 7919 + gy * 104729));
      g_array_append_val (strokes, stroke);
    }
  for (i = strokes->len; i > 1; i--) {
    const guint j = fb_hash32 (seed + i) % i;
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
finish (FbCanvas * colour, FbCanvas * height, float relief, float grain, uint32_t seed)
{
  const int w = colour->width, h = colour->height;
  int x, y, c;

  fb_canvas_blur (height, 1.0f);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      /* light from the top left catches the ridges of the bristle marks */
      const float slope = fb_canvas_at (height, fb_reflect (x - 1, w), fb_reflect (y - 1, h))[0]
          - fb_canvas_at (height, fb_reflect (x + 1, w), fb_reflect (y + 1, h))[0];
      const float paper = 0.6f * fb_value_noise (x * 0.9f, y * 0.9f, seed)
          + 0.4f * fb_value_noise (x * 0.25f, y * 0.25f, seed + 1);
      const float light = (1.0f + relief * slope) * (1.0f + grain * (paper - 0.5f));
      float *p = fb_canvas_at (colour, x, y);
      for (c = 0; c < 3; c++)
        p[c] = CLAMP (p[c] * light, 0.0f, 255.0f);
    }
}

FbCanvas *
fb_medium_oil (const FbCanvas * photo, const FbMediumParams * params)
{
  const int width = photo->width, height = photo->height;
  const float base_radius = params->unit;
  const uint32_t seed = params->seed;
  g_autoptr (FbCanvas) image = fb_canvas_copy (photo);
  g_autoptr (FbCanvas) smooth = NULL, field = NULL;
  Painting painting = { 0 };
  int x, y, c, layer;
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

  field = fb_canvas_orientation_field (image, 2.0f * base_radius, 0, 0);
  /* A painter states the darks and lights of features more firmly than a photo. */
  fb_canvas_unsharp (image, 1.2f * base_radius, 0.8f);
  /* Oil smoothing: flat patches of colour with crisp edges. */
  smooth = kuwahara (image, field, 2.0f * base_radius, 8.0f);
  posterise (smooth, 12, 1.12f);

  painting.colour = fb_canvas_new (width, height, 3);
  painting.flat = fb_canvas_new (width, height, 3);
  painting.height = fb_canvas_new (width, height, 1);
  painting.coverage = fb_canvas_new (width, height, 1);
  painting.owner = g_new0 (guint32, (size_t) width * height);
  painting.best_d = g_new (float, (size_t) width * height);
  painting.best_s = g_new (float, (size_t) width * height);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < 3; c++)   /* warm primed canvas where no paint lands */
        fb_canvas_at (painting.colour, x, y)[c] = fb_canvas_at (painting.flat, x, y)[c] =
            (float[3]) {
        232, 222, 203}[c];

  for (layer = 0; layer < (int) G_N_ELEMENTS (layers); layer++) {
    const float radius = layers[layer].radius * base_radius;
    g_autoptr (FbCanvas) ref = fb_canvas_copy (smooth);
    g_autoptr (FbCanvas) layer_field = fb_canvas_orientation_field (smooth, 3.0f * radius,
        STROKE_DEFAULT_ANGLE, 3.0f);
    fb_canvas_blur (ref, 0.5f * radius);
    paint_layer (&painting, ref, layer_field, radius, layers[layer].threshold,
        layers[layer].tolerance, layers[layer].max_points, seed * 977u + layer);
  }
  finish (painting.colour, painting.height, 0.7f * params->relief, 0.06f, seed);

  fb_canvas_free (painting.flat);
  fb_canvas_free (painting.height);
  fb_canvas_free (painting.coverage);
  g_free (painting.owner);
  g_free (painting.best_d);
  g_free (painting.best_s);
  return painting.colour;
}
