/* faceblit — the wet media: watercolour and ink. Washes are flat passages of pigment
 * whose edges come out wobbly and darker, where the water carried the pigment as it
 * dried, and whose pigment settles into the paper's grain; ink adds pen lines and pen
 * hatching in the darks.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-medium.h"

#include <math.h>

/* Pigment pools where a wash ends: more density where it exceeds its surroundings. */
static void
darken_edges (FbCanvas * density, float radius, float amount)
{
  g_autoptr (FbCanvas) around = fb_canvas_copy (density);
  size_t i, n = (size_t) density->width * density->height * density->channels;

  fb_canvas_blur (around, radius);
  for (i = 0; i < n; i++)
    density->data[i] = MAX (0.0f, density->data[i]
        + amount * MAX (0.0f, density->data[i] - around->data[i]));
}

/* The picture sampled through a slow, noisy displacement: brushed edges wander. */
static FbCanvas *
wobble (const FbCanvas * img, float reach, float scale, uint32_t seed)
{
  FbCanvas *out = fb_canvas_new (img->width, img->height, img->channels);
  int x, y;

  for (y = 0; y < img->height; y++)
    for (x = 0; x < img->width; x++) {
      const float dx = fb_value_noise (x / scale, y / scale, seed) - 0.5f;
      const float dy = fb_value_noise (x / scale, y / scale, seed + 1) - 0.5f;
      fb_canvas_sample (img, x + 2.0f * reach * dx, y + 2.0f * reach * dy,
          fb_canvas_at (out, x, y));
    }
  return out;
}

/* Soft steps: a wash is laid in a few values, not a continuous tone. */
static inline float
in_steps (float v, int steps)
{
  const float t = v * steps, step = floorf (t);

  return (step + fb_smoothstep (0.35f, 0.65f, t - step)) / steps;
}

FbCanvas *
fb_medium_watercolour (const FbCanvas * photo, const FbMediumParams * params)
{
  static const float paper[3] = { 250, 247, 240 }, lead[3] = { 90, 88, 92 };
  const float unit = params->unit;
  const int w = photo->width, h = photo->height;
  g_autoptr (FbCanvas) grey = fb_canvas_grey (photo);
  g_autoptr (FbCanvas) blurred = fb_canvas_copy (photo);
  g_autoptr (FbCanvas) density = NULL, lines = NULL;
  FbCanvas *out = fb_canvas_new (w, h, 3);
  size_t i, n = (size_t) w * h;
  int x, y, c;

  fb_canvas_blur (blurred, 1.5f * unit);
  density = wobble (blurred, 2.0f * unit, 8.0f * unit, params->seed);
  /* absorption per channel, laid in steps, lighter than the photo: transparent paint */
  for (i = 0; i < n; i++) {
    float *d = density->data + i * 3;
    /* the lights stay paper: transparent paint is laid from light to dark */
    const float dark = powf (1.0f - fb_luma (d) / 255.0f, 1.25f);
    /* half laid in steps, half following the tones: glazes over a first wash */
    const float value = 0.5f * in_steps (dark, 4) + 0.5f * dark;
    const float y_luma = MAX (fb_luma (d), 1.0f);
    for (c = 0; c < 3; c++) {
      const float chroma = d[c] / y_luma;      /* the hue, kept at the stepped value */
      d[c] = CLAMP (1.0f - chroma * (1.0f - value), 0.0f, 1.0f) * 0.8f;
    }
  }
  darken_edges (density, 2.5f * unit, 1.4f);
  lines = fb_canvas_outlines (grey, 0.8f * unit, 40.0f);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const float *d = fb_canvas_at (density, x, y);
      /* pigment settles in the paper's valleys */
      const float grain = fb_paper_grain (x, y, params->seed + 7);
      const float settle = 0.8f + 0.4f * grain;
      const float texture = 0.97f + 0.05f * fb_value_noise (x * 0.15f, y * 0.15f,
          params->seed + 9);
      float *p = fb_canvas_at (out, x, y);
      for (c = 0; c < 3; c++)
        p[c] = paper[c] * texture * (1.0f - CLAMP (d[c] * settle, 0.0f, 0.95f));
      /* the pencil drawing under the paint shows through */
      for (c = 0; c < 3; c++)
        p[c] += (lead[c] - p[c]) * 0.45f * fb_canvas_at (lines, x, y)[0];
    }
  return out;
}

FbCanvas *
fb_medium_ink (const FbCanvas * photo, const FbMediumParams * params)
{
  static const float paper[3] = { 244, 244, 244 }, ink[3] = { 24, 24, 24 };
  const float unit = params->unit;
  const int w = photo->width, h = photo->height;
  const float spacing = 1.4f * unit;
  g_autoptr (FbCanvas) grey = fb_canvas_grey (photo);
  g_autoptr (FbCanvas) tone = NULL, wash = NULL, lines = NULL;
  FbCanvas *out = fb_canvas_new (w, h, 3);
  size_t i, n = (size_t) w * h;
  int x, y;

  lines = fb_canvas_outlines (grey, 0.8f * unit, 90.0f);
  {
    g_autoptr (FbCanvas) blurred = fb_canvas_copy (grey);
    fb_canvas_blur (blurred, 1.5f * unit);
    tone = wobble (blurred, 1.0f * unit, 5.0f * unit, params->seed);
  }
  wash = fb_canvas_new (w, h, 1);
  for (i = 0; i < n; i++)
    wash->data[i] = 0.75f * in_steps (fb_smoothstep (0.1f, 0.9f, 1.0f - tone->data[i]), 3);
  darken_edges (wash, 2.0f * unit, 1.2f);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const float d = 1.0f - fb_canvas_at (tone, x, y)[0];
      /* pen hatching in the darkest passages, slightly uneven, as drawn by hand */
      const float jitter = 0.6f * (fb_value_noise (x * 0.05f, y * 0.05f, params->seed) - 0.5f);
      const float phase = (x + y) / spacing + jitter;
      const float stripe = fabsf (phase - floorf (phase) - 0.5f) * 2.0f;
      const float hatch = fb_smoothstep (0.62f, 0.75f, d) * fb_smoothstep (0.55f, 0.25f,
          stripe);
      const float grain = fb_paper_grain (x, y, params->seed + 7);
      const float ink_amount = 1.0f - (1.0f - fb_canvas_at (lines, x, y)[0])
          * (1.0f - MIN (fb_canvas_at (wash, x, y)[0], 0.95f) * (0.85f + 0.3f * grain))
          * (1.0f - 0.9f * hatch);
      fb_pigment_mix (fb_canvas_at (out, x, y), paper, ink, ink_amount);
    }
  return out;
}
