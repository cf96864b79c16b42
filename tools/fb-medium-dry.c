/* faceblit — the dry media: pencil, charcoal and pastel. Strokes are streaks of noise
 * along the picture's forms (fb_canvas_streaks); where they leave marks depends on how
 * dark the picture is there and on the tooth of the paper, which dry media skip over in
 * the light passages.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-medium.h"

#include <math.h>

/* White noise at `scale` px per cell, streaked `length` px each way along the forms
 * (up to the right at `angle` where the picture has no direction of its own). */
static FbCanvas *
stroke_texture (const FbCanvas * photo, float unit, float scale, float length,
    float angle, uint32_t seed)
{
  g_autoptr (FbCanvas) field = fb_canvas_orientation_field (photo, 4.0f * unit, angle,
      6.0f);
  g_autoptr (FbCanvas) noise = fb_canvas_new (photo->width, photo->height, 1);
  int x, y;

  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++)
      fb_canvas_at (noise, x, y)[0] = fb_hash_unit ((int) (x / scale), (int) (y / scale),
          seed);
  fb_canvas_blur (noise, 0.5f * scale);
  return fb_canvas_streaks (noise, field, length);
}

/* How dark the drawing should be, 0 (paper) to 1, from a blurred grey. */
static inline float
darkness (const FbCanvas * tone, int x, int y, float light, float dark)
{
  return fb_smoothstep (light, dark, 1.0f - fb_canvas_at (tone, x, y)[0]);
}

FbCanvas *
fb_medium_pencil (const FbCanvas * photo, const FbMediumParams * params)
{
  static const float paper[3] = { 244, 244, 244 }, graphite[3] = { 60, 60, 60 };
  const float unit = params->unit;
  g_autoptr (FbCanvas) grey = fb_canvas_grey (photo);
  g_autoptr (FbCanvas) tone = fb_canvas_copy (grey);
  g_autoptr (FbCanvas) lines = NULL, hatching = NULL;
  FbCanvas *out = fb_canvas_new (photo->width, photo->height, 3);
  int x, y;

  fb_canvas_blur (tone, 0.6f * unit);
  lines = fb_canvas_outlines (grey, 0.7f * unit, 60.0f);
  hatching = stroke_texture (photo, unit, 1.0f, 5.0f * unit, (float) -G_PI / 4,
      params->seed);
  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++) {
      const float d = darkness (tone, x, y, 0.08f, 0.95f);
      const float z = fb_canvas_at (hatching, x, y)[0];
      const float tooth = fb_paper_grain (x, y, params->seed + 7);
      /* hatch lines: the darker, the more of each streak turns into a mark */
      const float hatch = fb_smoothstep (-0.9f, 0.9f, z + 3.0f * (d - 0.5f)) * d;
      const float mark = hatch * (0.7f + 0.5f * tooth);
      const float line = 0.85f * fb_canvas_at (lines, x, y)[0];
      fb_pigment_mix (fb_canvas_at (out, x, y), paper, graphite,
          1.0f - (1.0f - 0.92f * mark) * (1.0f - line));
    }
  return out;
}

FbCanvas *
fb_medium_charcoal (const FbCanvas * photo, const FbMediumParams * params)
{
  static const float paper[3] = { 208, 208, 208 }, charcoal[3] = { 29, 29, 29 };
  static const float chalk[3] = { 249, 249, 249 };
  const float unit = params->unit;
  g_autoptr (FbCanvas) grey = fb_canvas_grey (photo);
  g_autoptr (FbCanvas) tone = fb_canvas_copy (grey);
  g_autoptr (FbCanvas) lines = NULL, strokes = NULL, marks = NULL;
  FbCanvas *out = fb_canvas_new (photo->width, photo->height, 3);
  int x, y;

  fb_canvas_blur (tone, 1.0f * unit);
  lines = fb_canvas_outlines (grey, 1.1f * unit, 40.0f);
  strokes = stroke_texture (photo, unit, 1.5f * unit, 9.0f * unit, (float) -G_PI / 3,
      params->seed);
  marks = fb_canvas_new (photo->width, photo->height, 1);
  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++) {
      const float d = darkness (tone, x, y, 0.2f, 0.92f);
      const float z = fb_canvas_at (strokes, x, y)[0];
      const float tooth = fb_paper_grain (x, y, params->seed + 7);
      /* the stick catches the paper's ridges first; dark passages fill the valleys */
      const float caught = fb_smoothstep (0.15f, 0.65f, tooth + 0.9f * d - 0.25f);
      const float stroke = fb_smoothstep (-1.5f, 1.5f, 0.7f * z + 4.0f * (d - 0.45f));
      fb_canvas_at (marks, x, y)[0] = MAX (stroke * caught * (0.3f + 0.7f * d),
          0.9f * fb_canvas_at (lines, x, y)[0] * (0.6f + 0.4f * caught));
    }
  /* rubbed with a finger: the marks smudge a little into the paper */
  {
    g_autoptr (FbCanvas) smudged = fb_canvas_copy (marks);
    size_t i, n = (size_t) photo->width * photo->height;
    fb_canvas_blur (smudged, 1.2f * unit);
    for (i = 0; i < n; i++)
      marks->data[i] = 0.65f * marks->data[i] + 0.35f * smudged->data[i];
  }
  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++) {
      const float light = fb_canvas_at (tone, x, y)[0];
      const float z = fb_canvas_at (strokes, x, y)[0];
      float *p = fb_canvas_at (out, x, y);
      fb_pigment_mix (p, paper, charcoal, fb_canvas_at (marks, x, y)[0]);
      /* white chalk on the highlights, caught by the paper's ridges */
      fb_pigment_mix (p, p, chalk, 0.85f * fb_smoothstep (0.8f, 0.95f, light)
          * fb_smoothstep (0.3f, 0.6f, fb_paper_grain (x, y, params->seed + 11) + 0.1f * z));
    }
  return out;
}

FbCanvas *
fb_medium_pastel (const FbCanvas * photo, const FbMediumParams * params)
{
  static const float paper[3] = { 122, 132, 142 }, dark[3] = { 52, 38, 34 };
  const float unit = params->unit;
  const int w = photo->width, h = photo->height;
  g_autoptr (FbCanvas) grey = fb_canvas_grey (photo);
  g_autoptr (FbCanvas) colour = fb_canvas_copy (photo);
  g_autoptr (FbCanvas) lines = NULL, strokes = NULL, fine = NULL;
  FbCanvas *out = fb_canvas_new (w, h, 3);
  int x, y, c;

  fb_canvas_blur (colour, 1.2f * unit);
  lines = fb_canvas_outlines (grey, 1.0f * unit, 40.0f);
  strokes = stroke_texture (photo, unit, 1.2f * unit, 6.0f * unit, (float) -G_PI / 3,
      params->seed);
  fine = stroke_texture (photo, unit, 1.0f, 3.0f * unit, (float) G_PI / 5,
      params->seed + 3);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const float tooth = fb_paper_grain (x, y, params->seed + 7);
      const float z = fb_canvas_at (strokes, x, y)[0];
      const float zf = fb_canvas_at (fine, x, y)[0];
      /* chalk lies on the ridges of the paper; strokes leave gaps where it shows */
      const float cover = fb_smoothstep (-2.6f, -0.9f, z + 1.2f * (tooth - 0.5f))
          * fb_smoothstep (0.0f, 0.35f, tooth + 0.15f * zf);
      const float *src = fb_canvas_at (colour, x, y);
      const float y_luma = fb_luma (src);
      float stick[3], *p = fb_canvas_at (out, x, y);
      for (c = 0; c < 3; c++) {
        /* bright, chalky pigment: more saturated, a little lifted */
        const float v = y_luma + (src[c] - y_luma) * 1.35f;
        stick[c] = CLAMP (22.0f + 0.92f * v * (1.0f + 0.08f * zf), 0.0f, 255.0f);
      }
      fb_pigment_mix (p, paper, stick, 0.95f * cover);
      fb_pigment_mix (p, p, dark, 0.8f * fb_canvas_at (lines, x, y)[0] * (0.5f + 0.5f * tooth));
    }
  return out;
}
