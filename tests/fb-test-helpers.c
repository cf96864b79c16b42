/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-test-helpers.h"

#include <math.h>

static char *
existing_or_null (char *path)
{
  if (path && g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  return NULL;
}

char *
fb_test_shared_path (const char *relative)
{
  const char *dir = g_getenv ("FB_SHARED_DATA_DIR");
  return dir ? existing_or_null (g_build_filename (dir, relative, NULL)) : NULL;
}

char *
fb_test_astronaut_path (void)
{
  const char *p = g_getenv ("FB_ASTRONAUT");
  return p ? existing_or_null (g_strdup (p)) : NULL;
}

const char *
fb_test_model_path (void)
{
  const char *p = g_getenv ("FB_DLIB_MODEL");
  return p && g_file_test (p, G_FILE_TEST_EXISTS) ? p : NULL;
}

char *
fb_test_source_data_path (const char *relative)
{
  const char *dir = g_getenv ("FB_SOURCE_DATA_DIR");
  return g_build_filename (dir ? dir : "data", relative, NULL);
}

FbImage *
fb_test_random_image (int width, int height, int channels, float scale, guint32 seed)
{
  FbImage *img = fb_image_new (width, height, channels);
  GRand *rand = g_rand_new_with_seed (seed);
  float phase[3][4];
  int c, k, x, y;

  for (c = 0; c < 3; c++)
    for (k = 0; k < 4; k++)
      phase[c][k] = g_rand_double_range (rand, 0, 2 * G_PI);
  for (y = 0; y < height; y++) {
    uint8_t *row = fb_image_row (img, y);
    for (x = 0; x < width; x++)
      for (c = 0; c < channels; c++) {
        float v = sinf (x / scale + phase[c][0]) * cosf (y / scale * 1.3f + phase[c][1])
            + 0.5f * sinf ((x + y) / (scale * 0.7f) + phase[c][2])
            + 0.3f * cosf ((x - 2 * y) / (scale * 0.4f) + phase[c][3]);
        float noise = g_rand_double_range (rand, -8, 8);
        int vi = (int) (128 + 50 * v + noise);
        row[x * channels + c] = CLAMP (vi, 0, 255);
      }
  }
  g_rand_free (rand);
  return img;
}

FbImage *
fb_test_render_face_frame (const FbImage * face, int width, int height, int channels,
    float cx, float cy, float scale, float angle)
{
  FbImage *out = fb_image_new (width, height, channels);
  float ca = cosf (angle) / scale, sa = sinf (angle) / scale;
  int x, y, c;

  for (y = 0; y < height; y++) {
    uint8_t *row = fb_image_row (out, y);
    for (x = 0; x < width; x++) {
      /* inverse map: frame pixel -> face image pixel */
      float dx = x - cx, dy = y - cy;
      float u = ca * dx + sa * dy + face->width / 2.0f;
      float v = -sa * dx + ca * dy + face->height / 2.0f;
      int u0 = (int) floorf (u), v0 = (int) floorf (v);
      float fu = u - u0, fv = v - v0;
      for (c = 0; c < channels; c++)
        row[x * channels + c] = c == 3 ? 255 : 110;
      if (u0 < 0 || v0 < 0 || u0 + 1 >= face->width || v0 + 1 >= face->height)
        continue;
      for (c = 0; c < 3; c++) {
        const uint8_t *r0 = fb_image_row (face, v0), *r1 = fb_image_row (face, v0 + 1);
        int k = face->channels;
        float a = r0[u0 * k + c] * (1 - fu) + r0[(u0 + 1) * k + c] * fu;
        float b = r1[u0 * k + c] * (1 - fu) + r1[(u0 + 1) * k + c] * fu;
        row[x * channels + c] = (uint8_t) (a * (1 - fv) + b * fv + 0.5f);
      }
    }
  }
  return out;
}
