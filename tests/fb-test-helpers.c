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
