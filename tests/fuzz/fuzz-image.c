/* libFuzzer target: PNG and JPEG exemplars (fb_image_decode, the decoder behind
 * fb_image_load, on the file's bytes in memory).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"
#include "fb-image-io.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GBytes) contents = g_bytes_new_static (data, size);
  g_autoptr (GError) error = NULL;
  FbImage *image = fb_image_decode (contents, "fuzz-input", &error);

  if (image) {
    int y;
    g_assert_null (error);
    g_assert_cmpint (image->channels, ==, 3);
    g_assert_true (image->width > 0 && image->width <= FB_IMAGE_MAX_SIDE);
    g_assert_true (image->height > 0 && image->height <= FB_IMAGE_MAX_SIDE);
    /* every row is there to be read: ASan checks it */
    for (y = 0; y < image->height; y++) {
      const uint8_t *row = fb_image_row (image, y);
      volatile uint8_t last = row[3 * image->width - 1];
      (void) last;
    }
    fb_image_free (image);
  } else {
    g_assert_nonnull (error);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
  }
  return 0;
}
