/* faceblit — the One-Euro filter (Casiez, Roussel and Vogel, CHI 2012): an adaptive
 * low-pass filter whose cutoff rises with speed, so that a still signal loses its
 * jitter while a moving one lags little.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-landmarks.h"

G_BEGIN_DECLS

typedef struct {
  float min_cutoff;             /* Hz: the cutoff of a still signal (lower = smoother) */
  float beta;                   /* Hz per (unit / s) of speed: how fast the cutoff rises */
  float d_cutoff;               /* Hz: the cutoff of the speed estimate itself (1 is usual) */
  float dead_speed;             /* units / s of a fit's motion relative to the carried points
                                 * that do not count (FbOneEuroFace only) */
  float jaw_dead_speed;         /* the same for the jaw's points (FbOneEuroFace only) */
  float lid_d_cutoff;           /* Hz: d_cutoff of the eyelids' points (FbOneEuroFace only) */
} FbOneEuroParams;

/* A scalar signal. Zero-initialise (or reset) before the first sample. */
typedef struct {
  float value;
  float speed;
  double time;
  double step;                  /* last positive time step, for repeated timestamps */
  gboolean started;
} FbOneEuro;

/* A 2-D point: one cutoff for both axes from the speed's magnitude, so that
 * smoothing does not depend on the direction of motion. */
typedef struct {
  FbPoint value;
  FbPoint speed;
  double time;
  double step;
  gboolean started;
} FbOneEuroPoint;

/* A face's landmarks, carried from frame to frame by the face's measured motion
 * (fb-face-motion.h) and drawn towards each new fit as a FbOneEuroPoint is drawn
 * towards its samples, but with the speed of the fit's points relative to the carried
 * ones, less dead_speed (jaw_dead_speed on the jaw): a fit's jitter around a face that
 * is still or moves as measured leaves the cutoff at min_cutoff, a fit that keeps away
 * from the carried points (a mouth that opens, a motion measured wrong) raises it. */
typedef struct {
  FbPoint value[FB_N_LANDMARKS];
  FbPoint speed[FB_N_LANDMARKS];        /* of the fit relative to the carried points */
  double time;
  double step;
  gboolean started;
} FbOneEuroFace;

void fb_one_euro_reset (FbOneEuro * filter);
/* Filters sample x taken at time t (seconds); the first sample passes through. A time
 * that does not advance reuses the previous step. */
float fb_one_euro_filter (FbOneEuro * filter, const FbOneEuroParams * params, float x,
    double t);

void fb_one_euro_point_reset (FbOneEuroPoint * filter);
FbPoint fb_one_euro_point_filter (FbOneEuroPoint * filter,
    const FbOneEuroParams * params, FbPoint p, double t);

void fb_one_euro_face_reset (FbOneEuroFace * filter);
/* Filters the landmarks of one fit, taken at time t, into smoothed (may be raw);
 * carried are the previous smoothed landmarks moved onto this frame (ignored on the
 * first). */
void fb_one_euro_face_filter (FbOneEuroFace * filter, const FbOneEuroParams * params,
    const FbLandmarks * raw, const FbLandmarks * carried, double t,
    FbLandmarks * smoothed);

G_END_DECLS
