/* faceblit — float canvases for the project's own painting and drawing filters
 * (tools/faceblit-paint): resampling, blur, noise, the image's orientation field and
 * streaks along it. Everything is deterministic: the same input gives the same bytes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include <glib.h>

#include "fb-image.h"

G_BEGIN_DECLS

/* A float image, channels interleaved, values 0..255. */
typedef struct {
  int width;
  int height;
  int channels;
  float *data;
} FbCanvas;

FbCanvas *fb_canvas_new (int width, int height, int channels);
void fb_canvas_free (FbCanvas * c);
FbCanvas *fb_canvas_copy (const FbCanvas * c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbCanvas, fb_canvas_free)

/* An RGB canvas, rounded, as an RGB image (channels 3) or as the grey image of its
 * luma (channels 1, a third of the size for a drawing in neutral greys). */
FbImage *fb_canvas_to_image (const FbCanvas * c, int channels);

static inline float *
fb_canvas_at (const FbCanvas * c, int x, int y)
{
  return c->data + ((size_t) y * c->width + x) * c->channels;
}

static inline float
fb_luma (const float *rgb)
{
  return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
}

/* out = paper covered by amount (clamped to 0-1) of pigment; out may be paper. */
static inline void
fb_pigment_mix (float *out, const float *paper, const float *pigment, float amount)
{
  int c;

  for (c = 0; c < 3; c++)
    out[c] = paper[c] + (pigment[c] - paper[c]) * CLAMP (amount, 0.0f, 1.0f);
}

static inline float
fb_smoothstep (float e0, float e1, float x)
{
  float t = CLAMP ((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

/* Reflect an index into [0, n): the crop may reach past the photo's edges. */
static inline int
fb_reflect (int i, int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

static inline uint32_t
fb_hash32 (uint32_t x)
{
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static inline float
fb_hash_unit (uint32_t a, uint32_t b, uint32_t c)
{
  return fb_hash32 (a ^ fb_hash32 (b ^ fb_hash32 (c))) * (1.0f / 4294967296.0f);
}

/* Smooth value noise in [0, 1) with lattice spacing 1. */
float fb_value_noise (float x, float y, uint32_t seed);

/* Separable Gaussian blur in place, mirrored edges; nothing below sigma 0.3. */
void fb_canvas_blur (FbCanvas * img, float sigma);
/* The crop rectangle (in photo pixels, may reach outside) scaled to out_w x out_h. */
FbCanvas *fb_canvas_crop_and_scale (const FbImage * photo, const double crop[4], int out_w,
    int out_h);
void fb_canvas_unsharp (FbCanvas * img, float sigma, float amount);
/* Bilinear sample of every channel at (x, y), clamped to the canvas. */
void fb_canvas_sample (const FbCanvas * img, float x, float y, float *out);

/* Per pixel: the tangent angle (along edges, across the gradient) and the anisotropy
 * in [0, 1] of the structure tensor smoothed over rho. A weak constant tensor (grey
 * level contrast `bias`) across `default_angle` makes flat areas, whose own direction
 * is noise, take that direction: a draughtsman's habitual diagonal hatching. */
FbCanvas *fb_canvas_orientation_field (const FbCanvas * img, float rho,
    float default_angle, float bias);

/* The luma of an RGB canvas, in 0..1, as a one-channel canvas. */
FbCanvas *fb_canvas_grey (const FbCanvas * img);
/* Averages the one-channel `texture` over `length` px each way along the streamlines of
 * an orientation field (line integral convolution) and returns it as a z-score
 * (mean 0, deviation 1 over the picture): streaks like strokes that follow the forms. */
FbCanvas *fb_canvas_streaks (const FbCanvas * texture, const FbCanvas * field, float length);
/* Outlines of a 0..1 grey canvas: the darkness, 0..1, of an extended difference of
 * Gaussians (Winnemoeller et al. 2012) at scale sigma; phi sets how crisp they are. */
FbCanvas *fb_canvas_outlines (const FbCanvas * grey, float sigma, float phi);
/* The tooth of a sheet of paper at (x, y), in [0, 1): fine and coarse value noise. */
float fb_paper_grain (int x, int y, uint32_t seed);

G_END_DECLS
