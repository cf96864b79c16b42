/* faceblit — the 68 facial landmarks (dlib / iBUG-300W order) and their files.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-geometry.h"

G_BEGIN_DECLS

#define FB_N_LANDMARKS 68

/* Index ranges in iBUG-300W order. */
#define FB_LM_JAW_FIRST 0
#define FB_LM_JAW_LAST 16
#define FB_LM_BROWS_FIRST 17
#define FB_LM_BROWS_LAST 26
#define FB_LM_NOSE_FIRST 27
#define FB_LM_NOSE_LAST 35
#define FB_LM_RIGHT_EYE_FIRST 36        /* the subject's right eye: image left */
#define FB_LM_LEFT_EYE_FIRST 42
#define FB_LM_MOUTH_FIRST 48

typedef struct {
  FbPoint points[FB_N_LANDMARKS];
} FbLandmarks;

/* Whether landmark i is on an upper or lower eyelid (each eye's six points go corner,
 * two upper, corner, two lower), not an eye's corner. */
static inline gboolean
fb_landmark_is_eyelid (int i)
{
  int k = (i - FB_LM_RIGHT_EYE_FIRST) % 6;

  return i >= FB_LM_RIGHT_EYE_FIRST && i < FB_LM_MOUTH_FIRST && k != 0 && k != 3;
}

#define FB_LANDMARKS_ERROR (fb_landmarks_error_quark ())
GQuark fb_landmarks_error_quark (void);
typedef enum {
  FB_LANDMARKS_ERROR_FILE,      /* cannot open or read */
  FB_LANDMARKS_ERROR_PARSE,     /* malformed line: message names file and line number */
  FB_LANDMARKS_ERROR_COUNT,     /* not exactly 68 points: message says how many */
} FbLandmarksError;

/* One "x y" pair per line (floats; blank lines, a leading UTF-8 byte-order mark and
 * anything after a # are ignored); a zero byte anywhere is refused. */
gboolean fb_landmarks_load (const char *path, FbLandmarks * out, GError ** error);
gboolean fb_landmarks_save (const char *path, const FbLandmarks * lm, GError ** error);

FbPoint fb_landmarks_right_eye_centre (const FbLandmarks * lm);
FbPoint fb_landmarks_left_eye_centre (const FbLandmarks * lm);
/* Distance between jaw points 0 and 16: the face width everything scales with. */
float fb_landmarks_face_width (const FbLandmarks * lm);
/* Bounding box of all 68 points (float, not clipped). */
void fb_landmarks_bounds (const FbLandmarks * lm, float *x0, float *y0, float *x1, float *y1);
void fb_landmarks_transform (const FbLandmarks * in, FbSimilarity s, FbLandmarks * out);
/* Least-squares similarity mapping the stable points (eyes, nose) of `from` onto `to`. */
FbSimilarity fb_landmarks_align (const FbLandmarks * from, const FbLandmarks * to);

G_END_DECLS
