/* libFuzzer target: the shape predictor file (fb_shape_model_load), read from a file
 * as the element reads it: faceblit's own reading of the forests and its checks, on
 * top of dlib's deserialisers for numbers, matrices and vectors.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"
#include "fb-dlib.h"

#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree char *path = fuzz_write_file ("model.dat", data, size);
  char *message = NULL;
  FbShapeModel *model = fb_shape_model_load (path, &message);

  /* a model or a message, never both */
  g_assert_true ((model == NULL) != (message == NULL));
  fb_shape_model_free (model);
  free (message);
  return 0;
}
