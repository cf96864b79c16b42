/* faceblit — dlib's face detector on a thread of its own: the tracker hands it a grey
 * image and merges what it found frames later, so a detection (tens to hundreds of ms)
 * never holds a frame up unless the tracker waits for it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-dlib.h"
#include "fb-image.h"

G_BEGIN_DECLS

/* The most detections one run reports, the most confident first. */
#define FB_DETECTION_WORKER_MAX_FOUND 32

typedef struct FbDetectionWorker FbDetectionWorker;

/* Starts the thread (named thread_name, at a lower priority where the system allows);
 * NULL with error set (FB_TRACKER_ERROR) when the detector or the thread cannot be
 * made. */
FbDetectionWorker *fb_detection_worker_new (const char *thread_name, GError ** error);
void fb_detection_worker_free (FbDetectionWorker * worker);

/* The image the next run looks at, width x height, for the caller to fill; only while
 * the worker is idle (not fb_detection_worker_busy). It stays the caller's to read
 * until the next start. */
FbImage *fb_detection_worker_image (FbDetectionWorker * worker, int width, int height);
/* The image the last run looked at (or the next will), as the caller filled it. */
const FbImage *fb_detection_worker_last_image (const FbDetectionWorker * worker);
/* Runs the detector on the image, enlarged `enlarge` (>= 1) times per side; drops a
 * result not taken yet. */
void fb_detection_worker_start (FbDetectionWorker * worker, float enlarge);
/* Whether a run is going on, or finished and not taken. */
gboolean fb_detection_worker_busy (FbDetectionWorker * worker);
/* Blocks until no run is going on. */
void fb_detection_worker_wait (FbDetectionWorker * worker);
/* Takes a finished run's detections (at most FB_DETECTION_WORKER_MAX_FOUND, in the
 * image's pixels) and the CPU time it took; returns how many, or -1 when there is no
 * finished run to take or the detector failed in it. */
int fb_detection_worker_take (FbDetectionWorker * worker, FbDetection * out,
    gint64 * run_us);

G_END_DECLS
