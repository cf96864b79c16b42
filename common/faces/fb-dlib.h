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

/* Detections score from 0 up (about 1-2.5 for clear frontal faces). Weaker ones are
 * often round patterns (badges, logos): only this score or more starts a new face. */
#define FB_FACE_DETECTION_CONFIDENT_SCORE 0.4

/* On failure returns NULL and sets *error_out to a malloc'd message (free()). */
FbShapeModel *fb_shape_model_load (const char *path, char **error_out);
void fb_shape_model_free (FbShapeModel * model);

/* Fits 68 landmarks inside `box` of a grey image; returns 0, or -1 on failure.
 * points_out receives 68 (x, y) floats pairs as FbPoint, with sub-pixel precision.
 * The box may extend past the image: pixels outside read as black. */
int fb_shape_model_fit (const FbShapeModel * model, const uint8_t * grey, int width,
    int height, int stride, FbRect box, FbPoint * points_out);

/* The square box in which the model's mean shape lies closest (least squares) to the
 * 68 `points`: the box to re-fit a face in when its previous landmarks are known.
 * Returns 0, or -1 when the points are degenerate (not finite, or all equal). */
int fb_shape_model_box_for_points (const FbShapeModel * model, const FbPoint * points,
    FbRect * box_out);

FbFaceDetector *fb_face_detector_new (char **error_out);
void fb_face_detector_free (FbFaceDetector * detector);
/* Finds frontal faces (>= ~80 px at the given image's scale). Returns the number
 * written to out (at most max_out, best scores first), or -1 on failure. */
int fb_face_detector_run (FbFaceDetector * detector, const uint8_t * grey, int width,
    int height, int stride, FbDetection * out, int max_out);
/* The largest image (in pixels) that detection enlarges an image to: its time and the
 * memory of dlib's HOG pyramid grow with it. */
#define FB_FACE_DETECTOR_MAX_PIXELS (16 << 20)
/* fb_face_detector_run on the image enlarged `enlarge` (>= 1) times per side, or less
 * where that would be over FB_FACE_DETECTOR_MAX_PIXELS: finds faces down to ~80 /
 * enlarge px for about enlarge^2 times the time. The boxes are in the given image's
 * pixels. */
int fb_face_detector_run_enlarged (FbFaceDetector * detector, const uint8_t * grey,
    int width, int height, int stride, float enlarge, FbDetection * out, int max_out);

#ifdef __cplusplus
}
#endif
