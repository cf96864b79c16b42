/* libFuzzer target: landmark files (fb_landmarks_load), read from a file as the
 * element reads them.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"
#include "fb-landmarks.h"

#include <math.h>

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree char *path = fuzz_write_file ("landmarks.txt", data, size);
  g_autoptr (GError) error = NULL;
  FbLandmarks lm;

  /* either 68 finite points or a message: never both, never neither */
  if (fb_landmarks_load (path, &lm, &error)) {
    int i;
    g_assert_null (error);
    for (i = 0; i < FB_N_LANDMARKS; i++)
      g_assert_true (isfinite (lm.points[i].x) && isfinite (lm.points[i].y));
  } else {
    g_assert_nonnull (error);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
  }
  return 0;
}
