/* faceblit — finds faces and follows their 68 landmarks from frame to frame.
 * Full detection runs on a worker thread on a downscaled frame; every frame the shape
 * predictor is re-fitted inline around each tracked face, and a One-Euro filter smooths
 * the landmarks.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-dlib.h"
#include "fb-image.h"
#include "fb-landmarks.h"

G_BEGIN_DECLS

/* The most faces one tracker follows; larger max_faces values are clamped to it. */
#define FB_TRACKER_MAX_FACES 16

typedef struct {
  int max_faces;                /* faces tracked at once */
  int min_face_size;            /* smallest face width in frame pixels that is looked for */
  int detect_interval;          /* start a new detection every N frames (>= 1) */
  float smoothing;              /* 0 = raw landmarks, 1 = strongest smoothing */
} FbTrackerParams;

typedef struct {
  guint id;                     /* stable while the face is tracked */
  FbLandmarks landmarks;        /* smoothed, frame pixels */
  FbRect box;                   /* bounding box of the landmarks, clipped to the frame */
} FbTrackedFace;

typedef struct FbTracker FbTracker;

#define FB_TRACKER_ERROR (fb_tracker_error_quark ())
GQuark fb_tracker_error_quark (void);
typedef enum {
  FB_TRACKER_ERROR_DETECTOR,    /* dlib's face detector cannot be created */
  FB_TRACKER_ERROR_THREAD,      /* the detection thread cannot be started */
} FbTrackerError;

/* model is borrowed and must outlive the tracker. */
FbTracker *fb_tracker_new (const FbShapeModel * model, GError ** error);
void fb_tracker_free (FbTracker * tracker);

/* Takes a full-resolution grey frame; returns how many faces were written (<= max_out).
 * The first frame after creation or fb_tracker_reset detects synchronously, so a face
 * in it is found at once; afterwards detection never blocks the caller.
 * timestamp_ns drives the One-Euro filter (use a frame count * duration if unknown). */
int fb_tracker_process (FbTracker * tracker, const FbImage * grey, gint64 timestamp_ns,
    const FbTrackerParams * params, FbTrackedFace * out, int max_out);

/* Forgets every face and any pending detection (flush, seek, caps change). */
void fb_tracker_reset (FbTracker * tracker);

G_END_DECLS
