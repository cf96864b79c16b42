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

/* Detection (tens of ms of CPU, against about 1 ms for following a face) starts every
 * detect_interval frames. While faces are tracked and the last detection confirmed
 * every one of them and found nothing new, each such detection doubles the gap, up to
 * FB_TRACKER_MAX_STRETCH times detect_interval but never more than
 * FB_TRACKER_MAX_STRETCHED_NS of stream time (nor less than detect_interval); anything
 * else (a face lost, missed or found, a reset) brings it back at once. So a face that
 * appears is found within MAX (detect_interval frames, 0.5 s) plus one detection's run
 * time. With min_face_size below 100 px, the faces narrower than 100 px are looked for
 * by small-face passes on an enlarged copy of the frame, on a second detection thread,
 * at most a quarter of one core's time (fb-tracker.c). */
#define FB_TRACKER_MAX_STRETCH 4
#define FB_TRACKER_MAX_STRETCHED_NS G_GINT64_CONSTANT (500000000)

/* The smallest min_face_size that means what it says; and the value that asks for the
 * frame size's own (fb_tracker_min_face_size). */
#define FB_TRACKER_MIN_FACE_SIZE 16
#define FB_TRACKER_AUTO_MIN_FACE 0

typedef struct {
  int max_faces;                /* faces tracked at once */
  /* smallest face width in frame pixels that is looked for (at least
   * FB_TRACKER_MIN_FACE_SIZE); FB_TRACKER_AUTO_MIN_FACE: fb_tracker_min_face_size */
  int min_face_size;
  int detect_interval;          /* frames between detections (>= 1), see above */
  float smoothing;              /* 0 = raw landmarks, 1 = strongest smoothing */
} FbTrackerParams;

typedef struct {
  guint id;                     /* stable while the face is tracked */
  FbLandmarks landmarks;        /* smoothed, frame pixels */
  FbRect box;                   /* bounding box of the landmarks, clipped to the frame */
} FbTrackedFace;

typedef struct FbTracker FbTracker;

/* The smallest face width looked for in width x height frames at min_face_size: itself
 * (at least FB_TRACKER_MIN_FACE_SIZE), or for FB_TRACKER_AUTO_MIN_FACE 48 px up to
 * 1920 x 1080 and the same share of the frame beyond (96 px at 3840 x 2160), so that
 * a 4K stream's small-face passes cost what a 1080p stream's do. */
int fb_tracker_min_face_size (int min_face_size, int width, int height);

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
 * in it is found at once (one narrower than 100 px by the small-face pass that starts
 * then, a frame or a few later); afterwards detection blocks the caller only while no face is
 * tracked, at a frame where the next detection is due and the previous one still runs
 * (frames then cost little, and so a detection is never more than detect_interval
 * frames behind, however fast frames come), and at the frame after a detection found
 * a new face that has moved away since the frame it looked at (detected again there,
 * synchronously, instead of followed from where it was).
 * timestamp_ns (stream time) drives the One-Euro filter and bounds stretched detection
 * intervals (use a frame count * duration if unknown). */
int fb_tracker_process (FbTracker * tracker, const FbImage * grey, gint64 timestamp_ns,
    const FbTrackerParams * params, FbTrackedFace * out, int max_out);

/* Forgets every face and any pending detection (flush, seek, caps change). */
void fb_tracker_reset (FbTracker * tracker);

/* Blocks until the detections running in the background, if any, have finished, so
 * that the next fb_tracker_process merges them: makes runs reproducible (tests,
 * benchmarks). */
void fb_tracker_wait_for_detection (FbTracker * tracker);

/* How many detections have been started since the tracker was created. */
guint fb_tracker_get_n_detections (const FbTracker * tracker);

G_END_DECLS
