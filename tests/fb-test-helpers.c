/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-test-helpers.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fb-image-io.h"

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
        /* a fourth channel takes the first's phases, shifted */
        const float *p = phase[c % 3];
        float shift = (float) (c / 3);
        float v = sinf (x / scale + p[0] + shift) * cosf (y / scale * 1.3f + p[1] + shift)
            + 0.5f * sinf ((x + y) / (scale * 0.7f) + p[2] + shift)
            + 0.3f * cosf ((x - 2 * y) / (scale * 0.4f) + p[3] + shift);
        float noise = g_rand_double_range (rand, -8, 8);
        int vi = (int) (128 + 50 * v + noise);
        row[x * channels + c] = CLAMP (vi, 0, 255);
      }
  }
  g_rand_free (rand);
  return img;
}

gboolean
fb_test_face_data (const FbShapeModel ** model_out, const FbImage ** astronaut_out)
{
  static FbShapeModel *model;
  static FbImage *astronaut;
  const char *model_path = fb_test_model_path ();
  g_autofree char *astronaut_path = fb_test_astronaut_path ();

  if (!model_path) {
    g_test_skip ("dlib's model is not installed (Debian package libdlib-data)");
    return FALSE;
  }
  if (!astronaut_path) {
    g_test_skip ("astronaut.png is not installed (Debian package python3-skimage)");
    return FALSE;
  }
  if (!model) {
    char *message = NULL;
    model = fb_shape_model_load (model_path, &message);
    g_assert_null (message);
    g_assert_nonnull (model);
  }
  if (!astronaut) {
    g_autoptr (GError) error = NULL;
    astronaut = fb_image_load (astronaut_path, &error);
    g_assert_no_error (error);
  }
  *model_out = model;
  *astronaut_out = astronaut;
  return TRUE;
}

void
fb_test_synthetic_landmarks (FbLandmarks * lm, float cx, float cy, float s)
{
  FbPoint *p = lm->points;
  int i;

  for (i = 0; i <= 16; i++) {
    float phi = (float) G_PI * (1.0f - i / 16.0f);
    p[i].x = cx + 60 * s * cosf (phi);
    p[i].y = cy + 70 * s * sinf (phi);
  }
  for (i = 17; i <= 26; i++) {
    p[i].x = cx + s * (-50 + 100 * (i - 17) / 9.0f);
    p[i].y = cy - 20 * s;
  }
  for (i = 27; i <= 35; i++) {
    p[i].x = cx + s * (i < 31 ? 0 : -8 + 4 * (i - 31));
    p[i].y = cy + s * (i < 31 ? -10 + 6 * (i - 27) : 18);
  }
  for (i = 36; i <= 47; i++) {
    float a = (float) G_PI * (i % 6) / 3;
    p[i].x = cx + s * ((i < 42 ? -25 : 25) + 10 * cosf (a));
    p[i].y = cy + s * (-5 + 4 * sinf (a));
  }
  for (i = 48; i <= 67; i++) {
    float a = 2 * (float) G_PI * (i - 48) / 20;
    p[i].x = cx + s * 20 * cosf (a);
    p[i].y = cy + s * (40 + 6 * sinf (a));
  }
}

float
fb_test_landmarks_distance (const FbLandmarks * a, const FbLandmarks * b)
{
  float sum = 0;
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++)
    sum += hypotf (a->points[i].x - b->points[i].x, a->points[i].y - b->points[i].y);
  return sum / FB_N_LANDMARKS;
}

FbTestFrame *
fb_test_frame_from_rgb (const FbImage * rgb, FbFormat format, FbYuvMatrix matrix,
    int padding)
{
  FbTestFrame *t = g_new0 (FbTestFrame, 1);
  int w = rgb->width, h = rgb->height, n = fb_frame_n_planes (format), p;
  FbRect all = { 0, 0, w, h };
  FbImage *opaque = fb_image_new (w, h, 1);
  gsize offsets[3];

  t->frame.format = format;
  t->frame.matrix = matrix;
  t->frame.width = w;
  t->frame.height = h;
  for (p = 0; p < n; p++) {
    t->frame.strides[p] = fb_frame_plane_row_bytes (format, w, p) + padding;
    offsets[p] = t->size;
    t->size += (gsize) t->frame.strides[p] * fb_frame_plane_rows (format, h, p);
  }
  t->memory = g_malloc0 (t->size);
  for (p = 0; p < n; p++)
    t->frame.planes[p] = t->memory + offsets[p];
  /* blending every pixel at full opacity writes rgb in the frame's format */
  memset (opaque->data, 255, (gsize) w * h);
  fb_frame_blend_rgb (&t->frame, all, rgb, opaque);
  fb_image_free (opaque);
  return t;
}

void
fb_test_frame_free (FbTestFrame * t)
{
  g_free (t->memory);
  g_free (t);
}

void
fb_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      fb_test_remove_tree (child);
    else
      g_remove (child);
    g_free (child);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}
