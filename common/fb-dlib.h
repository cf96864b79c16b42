/* faceblit — C API of the thin C++ shim around dlib's face detector and shape predictor.
 * Nothing here throws: every failure comes back as a return value and a message.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include "fb-geometry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The 68-point shape predictor (thread-safe to share; load once). */
typedef struct FbShapeModel FbShapeModel;
/* A HOG frontal face detector; one per thread that detects. */
typedef struct FbFaceDetector FbFaceDetector;

typedef struct {
  FbRect box;
  double score;
} FbDetection;

/* On failure returns NULL and sets *error_out to a malloc'd message (free()). */
FbShapeModel *fb_shape_model_load (const char *path, char **error_out);
void fb_shape_model_free (FbShapeModel * model);

/* Fits 68 landmarks inside `box` of a grey image; returns 0, or -1 on failure.
 * points_out receives 68 (x, y) floats pairs as FbPoint. */
int fb_shape_model_fit (const FbShapeModel * model, const uint8_t * grey, int width,
    int height, int stride, FbRect box, FbPoint * points_out);

FbFaceDetector *fb_face_detector_new (char **error_out);
void fb_face_detector_free (FbFaceDetector * detector);
/* Finds frontal faces (>= ~80 px at the given image's scale). Returns the number
 * written to out (at most max_out, best scores first), or -1 on failure. */
int fb_face_detector_run (FbFaceDetector * detector, const uint8_t * grey, int width,
    int height, int stride, FbDetection * out, int max_out);

#ifdef __cplusplus
}
#endif
