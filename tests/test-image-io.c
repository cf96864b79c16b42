/* faceblit — tests for loading and saving PNG and JPEG images.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <png.h>
#include <jpeglib.h>

#include "fb-image-io.h"
#include "fb-test-helpers.h"

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_bytes (const char *path, const void *data, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, data, size, &error));
  g_assert_no_error (error);
}

/* Writes a JPEG with libjpeg itself, so the test needs no external file. */
static void
write_jpeg (const char *path, const FbImage * image, int quality)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  FILE *file = fopen (path, "wb");
  int y;

  g_assert_nonnull (file);
  c.err = jpeg_std_error (&err);
  jpeg_create_compress (&c);
  jpeg_stdio_dest (&c, file);
  c.image_width = image->width;
  c.image_height = image->height;
  c.input_components = image->channels;
  c.in_color_space = image->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, quality, TRUE);
  jpeg_start_compress (&c, TRUE);
  for (y = 0; y < image->height; y++) {
    JSAMPROW row = fb_image_row (image, y);
    jpeg_write_scanlines (&c, &row, 1);
  }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  fclose (file);
}

/* PNG variants fb_image_save_png never writes: palette and 16-bit with alpha. */
static void
write_png_raw (const char *path, int width, int height, int depth, int colour_type,
    png_colorp palette, int n_palette, const guint8 * data, int row_bytes)
{
  FILE *file = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  int y;

  g_assert_nonnull (file);
  png_init_io (png, file);
  png_set_IHDR (png, info, width, height, depth, colour_type, PNG_INTERLACE_ADAM7,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette)
    png_set_PLTE (png, info, palette, n_palette);
  png_write_info (png, info);
  {
    png_bytep *rows = g_new (png_bytep, height);
    for (y = 0; y < height; y++)
      rows[y] = (png_bytep) data + (size_t) y * row_bytes;
    png_write_image (png, rows);
    g_free (rows);
  }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (file);
}

static void
assert_images_equal (const FbImage * a, const FbImage * b)
{
  int y;
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->channels, ==, b->channels);
  for (y = 0; y < a->height; y++)
    g_assert_cmpmem (fb_image_row (a, y), a->width * a->channels, fb_image_row (b, y),
        b->width * b->channels);
}

/* Only `name` is in the folder: no temporary file of the atomic save is left over. */
static void
assert_only_file (const char *name)
{
  GDir *dir = g_dir_open (tmp_dir, 0, NULL);
  const char *entry;
  int n = 0;

  while ((entry = g_dir_read_name (dir))) {
    g_assert_cmpstr (entry, ==, name);
    n++;
  }
  g_dir_close (dir);
  g_assert_cmpint (n, ==, 1);
}

static void
remove_file (const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
test_png_round_trip (void)
{
  int channels;

  for (channels = 1; channels <= 4; channels++) {
    g_autoptr (FbImage) image = NULL;
    g_autoptr (FbImage) loaded = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *path = tmp_path ("round-trip.png");
    int x, y, c;

    if (channels == 2)
      continue;
    image = fb_image_new (37, 21, channels);
    for (y = 0; y < image->height; y++)
      for (x = 0; x < image->width * channels; x++)
        fb_image_row (image, y)[x] = (uint8_t) (x * 31 + y * 17 + x * y);
    g_assert_true (fb_image_save_png (image, path, &error));
    g_assert_no_error (error);
    assert_only_file ("round-trip.png");

    loaded = fb_image_load (path, &error);
    g_assert_no_error (error);
    g_assert_nonnull (loaded);
    g_assert_cmpint (loaded->width, ==, 37);
    g_assert_cmpint (loaded->height, ==, 21);
    g_assert_cmpint (loaded->channels, ==, 3);
    /* Grey is expanded, alpha dropped: the colour bytes come back exactly. */
    for (y = 0; y < image->height; y++)
      for (x = 0; x < image->width; x++)
        for (c = 0; c < 3; c++)
          g_assert_cmpint (fb_image_row (loaded, y)[3 * x + c], ==,
              fb_image_row (image, y)[x * channels + (channels == 1 ? 0 : c)]);
  }

  /* Saving again replaces the file in place. */
  {
    g_autoptr (FbImage) image = fb_test_random_image (20, 10, 3, 3.0f, 5);
    g_autoptr (FbImage) loaded = NULL;
    g_autofree char *path = tmp_path ("round-trip.png");
    g_autoptr (GError) error = NULL;

    g_assert_true (fb_image_save_png (image, path, &error));
    loaded = fb_image_load (path, &error);
    g_assert_no_error (error);
    assert_images_equal (image, loaded);
    assert_only_file ("round-trip.png");
  }
  remove_file ("round-trip.png");
}

static void
test_png_variants (void)
{
  g_autofree char *path = tmp_path ("variant.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) pal = NULL;
  g_autoptr (FbImage) deep = NULL;
  png_color palette[4] = { {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30} };
  guint8 indices[3 * 5], wide[2 * 3 * 8];
  int i;

  for (i = 0; i < 15; i++)
    indices[i] = i % 4;
  write_png_raw (path, 5, 3, 8, PNG_COLOR_TYPE_PALETTE, palette, 4, indices, 5);
  pal = fb_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pal->channels, ==, 3);
  for (i = 0; i < 15; i++)
    g_assert_cmpmem (pal->data + 3 * i, 3, &palette[i % 4], 3);

  /* 16-bit RGBA, big-endian samples: the high byte is kept. */
  for (i = 0; i < 2 * 3 * 4; i++) {
    wide[2 * i] = (guint8) (i * 10);
    wide[2 * i + 1] = 0x77;
  }
  write_png_raw (path, 3, 2, 16, PNG_COLOR_TYPE_RGB_ALPHA, NULL, 0, wide, 3 * 8);
  deep = fb_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deep->width, ==, 3);
  g_assert_cmpint (deep->height, ==, 2);
  for (i = 0; i < 6; i++) {
    int c;
    for (c = 0; c < 3; c++)
      g_assert_cmpint (abs (deep->data[3 * i + c] - (4 * i + c) * 10), <=, 1);
  }
  remove_file ("variant.png");
}

/* Found by fuzz-image (tests/fuzz/corpus/fuzz-image/timeout-scan-ends-early-*): 128
 * bytes whose frame claims 24074x3074 grey pixels and whose scan ends at once. libjpeg
 * only warned and padded 74 megapixels with grey (13 s under ASan): now the end of
 * the scan refuses the file. */
static const guint8 jpeg_scan_ends_early[] = {
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
  0x01, 0x00, 0x00, 0x01, 0x35, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00,
  0x43, 0x00, 0x28, 0xff, 0x77, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02,
  0x02, 0x89, 0x4e, 0x01, 0x02, 0x02, 0x02, 0x04, 0x03, 0x02, 0x89, 0x00,
  0x00, 0x05, 0x04, 0x04, 0x03, 0x04, 0x06, 0x05, 0x06, 0x11, 0x06, 0x06,
  0x05, 0x06, 0x06, 0x2a, 0x07, 0xba, 0x01, 0x06, 0x07, 0x09, 0x07, 0x06,
  0x48, 0x0b, 0x08, 0x49, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x06, 0x08, 0x0b,
  0x0c, 0x0b, 0x0a, 0x0c, 0x09, 0x0a, 0x0a, 0x0a, 0xff, 0xc0, 0x00, 0x0b,
  0x08, 0x0c, 0x02, 0x5e, 0x0a, 0x01, 0x01, 0x11, 0x00, 0xff, 0x01, 0x01,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xb7, 0xff, 0xda, 0x00, 0x08,
  0x01, 0x01, 0x00, 0x00, 0x51, 0x27, 0xff, 0xd9,
};

static void
test_jpeg_scan_ends_early (void)
{
  g_autoptr (GBytes) contents = g_bytes_new_static (jpeg_scan_ends_early,
      sizeof jpeg_scan_ends_early);
  g_autoptr (GError) error = NULL;
  FbImage *image = fb_image_decode (contents, "short-scan.jpg", &error);

  g_assert_null (image);
  g_assert_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "short-scan.jpg"));
  g_assert_nonnull (strstr (error->message, "premature end of data segment"));
}

static void
test_jpeg_load (void)
{
  g_autoptr (FbImage) image = fb_image_new (61, 47, 3);
  g_autoptr (FbImage) grey = fb_test_random_image (16, 8, 1, 4.0f, 12);
  g_autoptr (FbImage) loaded = NULL;
  g_autoptr (GError) error = NULL;
  /* The name says PNG: the content decides. */
  g_autofree char *path = tmp_path ("actually-a-jpeg.png");
  double total = 0;
  int i, x, y;

  /* Smooth ramps, different per channel, so a swap of R and B would show. */
  for (y = 0; y < 47; y++)
    for (x = 0; x < 61; x++) {
      uint8_t *p = fb_image_row (image, y) + 3 * x;
      p[0] = 4 * x;
      p[1] = 5 * y;
      p[2] = 2 * (x + y);
    }
  write_jpeg (path, image, 97);
  loaded = fb_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (loaded->width, ==, 61);
  g_assert_cmpint (loaded->height, ==, 47);
  g_assert_cmpint (loaded->channels, ==, 3);
  for (i = 0; i < 61 * 47 * 3; i++)
    total += abs (loaded->data[i] - image->data[i]);
  g_assert_cmpfloat (total / (61 * 47 * 3), <, 2.0);

  write_jpeg (path, grey, 95);
  g_clear_pointer (&loaded, fb_image_free);
  loaded = fb_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->channels, ==, 3);
  for (i = 0; i < 16 * 8; i++) {
    g_assert_cmpint (loaded->data[3 * i], ==, loaded->data[3 * i + 1]);
    g_assert_cmpint (loaded->data[3 * i], ==, loaded->data[3 * i + 2]);
    g_assert_cmpint (abs (loaded->data[3 * i] - grey->data[i]), <=, 12);
  }
  remove_file ("actually-a-jpeg.png");
}

static void
assert_error (const char *path, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  FbImage *image = fb_image_load (path, &error);

  g_assert_null (image);
  g_assert_error (error, FB_IMAGE_IO_ERROR, code);
  if (!strstr (error->message, path))
    g_error ("message “%s” does not name “%s”", error->message, path);
  if (fragment && !strstr (error->message, fragment))
    g_error ("message “%s” does not say “%s”", error->message, fragment);
}

static void
test_load_errors (void)
{
  g_autofree char *missing = tmp_path ("missing.png");
  g_autofree char *text = tmp_path ("text.png");
  g_autofree char *empty = tmp_path ("empty.jpg");
  g_autofree char *valid = tmp_path ("valid.png");
  g_autofree char *truncated = tmp_path ("truncated.png");
  g_autofree char *corrupt = tmp_path ("corrupt.png");
  g_autofree char *truncated_jpeg = tmp_path ("truncated.jpg");
  g_autoptr (FbImage) image = fb_test_random_image (64, 48, 3, 5.0f, 3);
  g_autofree char *contents = NULL;
  gsize length;

  assert_error (missing, FB_IMAGE_IO_ERROR_NOT_FOUND, "No such file");
  assert_error (tmp_dir, FB_IMAGE_IO_ERROR_READ, NULL);

  write_bytes (text, "hello, I am text\n", 17);
  assert_error (text, FB_IMAGE_IO_ERROR_FORMAT, "is not a PNG or JPEG image");
  write_bytes (empty, "", 0);
  assert_error (empty, FB_IMAGE_IO_ERROR_FORMAT, "is not a PNG or JPEG image");

  g_assert_true (fb_image_save_png (image, valid, NULL));
  g_assert_true (g_file_get_contents (valid, &contents, &length, NULL));
  write_bytes (truncated, contents, length / 2);
  assert_error (truncated, FB_IMAGE_IO_ERROR_FORMAT, "damaged");
  /* A flipped byte inside the image data breaks the chunk's CRC. */
  contents[length / 2] ^= 0x55;
  write_bytes (corrupt, contents, length);
  assert_error (corrupt, FB_IMAGE_IO_ERROR_FORMAT, "damaged");

  write_jpeg (truncated_jpeg, image, 90);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (truncated_jpeg, &contents, &length, NULL));
  write_bytes (truncated_jpeg, contents, length / 2);
  assert_error (truncated_jpeg, FB_IMAGE_IO_ERROR_FORMAT, "damaged");

  /* Unreadable: root reads anything, so only check where permissions bite. */
  g_assert_cmpint (g_chmod (valid, 0), ==, 0);
  if (access (valid, R_OK) != 0)
    assert_error (valid, FB_IMAGE_IO_ERROR_READ, "Permission denied");
  else
    g_test_message ("running as root: the permission case cannot be checked");
  g_chmod (valid, 0644);

  remove_file ("text.png");
  remove_file ("empty.jpg");
  remove_file ("valid.png");
  remove_file ("truncated.png");
  remove_file ("corrupt.png");
  remove_file ("truncated.jpg");
}

static void
test_save_errors (void)
{
  g_autoptr (FbImage) image = fb_image_new (4, 4, 3);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "no-such-folder", "out.png", NULL);

  g_assert_false (fb_image_save_png (image, path, &error));
  g_assert_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_load_astronaut (void)
{
  g_autofree char *path = fb_test_astronaut_path ();
  g_autoptr (FbImage) image = NULL;
  g_autoptr (GError) error = NULL;

  if (!path) {
    g_test_skip ("astronaut.png is not installed (python3-skimage)");
    return;
  }
  image = fb_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 512);
  g_assert_cmpint (image->height, ==, 512);
  g_assert_cmpint (image->channels, ==, 3);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("fb-test-image-io-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/image-io/png-round-trip", test_png_round_trip);
  g_test_add_func ("/image-io/png-variants", test_png_variants);
  g_test_add_func ("/image-io/jpeg-load", test_jpeg_load);
  g_test_add_func ("/image-io/jpeg-scan-ends-early", test_jpeg_scan_ends_early);
  g_test_add_func ("/image-io/load-errors", test_load_errors);
  g_test_add_func ("/image-io/save-errors", test_save_errors);
  g_test_add_func ("/image-io/astronaut", test_load_astronaut);
  result = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return result;
}
