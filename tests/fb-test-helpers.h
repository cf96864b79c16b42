/* faceblit — shared helpers for the tests: test data paths and skips.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-dlib.h"
#include "fb-frame.h"
#include "fb-image.h"
#include "fb-landmarks.h"

G_BEGIN_DECLS

/* Path of a file under ../shared/data, or NULL when that folder is absent. g_free. */
char *fb_test_shared_path (const char *relative);
/* The astronaut portrait (python3-skimage), or NULL when it is not installed. g_free. */
char *fb_test_astronaut_path (void);
/* dlib's shape predictor path, or NULL when libdlib-data is not installed. */
const char *fb_test_model_path (void);
/* Path under the source tree's data/ folder. g_free. */
char *fb_test_source_data_path (const char *relative);
/* Deterministic pseudo-random image (1 to 4 channels) smooth over `scale` pixels. */
FbImage *fb_test_random_image (int width, int height, int channels, float scale, guint32 seed);

/* dlib's model and the astronaut, loaded once and kept; FALSE (after g_test_skip) when
 * either is not installed. */
gboolean fb_test_face_data (const FbShapeModel ** model, const FbImage ** astronaut);
/* A synthetic frontal face of width 120 * s around (cx, cy): jaw on a half ellipse,
 * brows above, eyes, nose and mouth inside. */
void fb_test_synthetic_landmarks (FbLandmarks * lm, float cx, float cy, float s);

/* A frame of `format` (rows `padding` bytes longer than their pixels, planes in one
 * block of `size` bytes) holding rgb converted with `matrix`. */
typedef struct {
  FbFrame frame;
  guint8 *memory;
  gsize size;
} FbTestFrame;

FbTestFrame *fb_test_frame_from_rgb (const FbImage * rgb, FbFormat format,
    FbYuvMatrix matrix, int padding);
void fb_test_frame_free (FbTestFrame * frame);

/* Deletes path and everything under it (a test's temporary folder). */
void fb_test_remove_tree (const char *path);

/* Mean distance in pixels between corresponding landmarks of a and b. */
float fb_test_landmarks_distance (const FbLandmarks * a, const FbLandmarks * b);

G_END_DECLS

