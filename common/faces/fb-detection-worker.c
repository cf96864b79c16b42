/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-detection-worker.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fb-tracker.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Nice value of the detection threads: they are background work, and on a machine
 * with few cores they must not delay the threads that stylize the current frame. */
#define DETECTION_NICE 10

struct FbDetectionWorker
{
  GMutex lock;
  GCond cond;
  GThread *thread;
  /* under lock */
  gboolean quit;
  gboolean requested;           /* the thread has an image to detect in */
  gboolean running;             /* requested or running: image is the thread's */
  gboolean result_ready;
  int n_results;                /* -1: the detector failed */
  gint64 run_us;                /* CPU time of the last run */
  FbDetection results[FB_DETECTION_WORKER_MAX_FOUND];
  float enlarge;
  /* the thread's while running, the caller's otherwise */
  FbFaceDetector *detector;
  FbImage *image;
};

/* Microseconds of CPU time this thread has used: what a run costs the machine, which
 * its wall time overstates on a loaded one (the thread runs niced). */
static gint64
thread_cpu_us (void)
{
#ifdef CLOCK_THREAD_CPUTIME_ID
  struct timespec t;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t) == 0)
    return (gint64) t.tv_sec * G_USEC_PER_SEC + t.tv_nsec / 1000;
#endif
  return g_get_monotonic_time ();
}

static gpointer
detection_thread (gpointer data)
{
  FbDetectionWorker *worker = data;
  FbDetection found[FB_DETECTION_WORKER_MAX_FOUND];

#ifdef __linux__
  /* Linux gives each thread its own nice value. Best effort: without the permission or
   * elsewhere, detection simply keeps the normal priority. */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), DETECTION_NICE);
#endif
  g_mutex_lock (&worker->lock);
  for (;;) {
    gint64 start;
    int n;

    while (!worker->quit && !worker->requested)
      g_cond_wait (&worker->cond, &worker->lock);
    if (worker->quit)
      break;
    worker->requested = FALSE;
    g_mutex_unlock (&worker->lock);

    start = thread_cpu_us ();
    n = fb_face_detector_run_enlarged (worker->detector, worker->image->data,
        worker->image->width, worker->image->height, worker->image->stride,
        worker->enlarge, found, FB_DETECTION_WORKER_MAX_FOUND);

    g_mutex_lock (&worker->lock);
    if (n > 0)
      memcpy (worker->results, found, n * sizeof (found[0]));
    worker->n_results = n;
    worker->run_us = thread_cpu_us () - start;
    worker->result_ready = TRUE;
    worker->running = FALSE;
    g_cond_broadcast (&worker->cond);
  }
  g_mutex_unlock (&worker->lock);
  return NULL;
}

FbDetectionWorker *
fb_detection_worker_new (const char *thread_name, GError ** error)
{
  FbDetectionWorker *worker = g_new0 (FbDetectionWorker, 1);
  GError *thread_error = NULL;
  char *message = NULL;

  g_mutex_init (&worker->lock);
  g_cond_init (&worker->cond);
  worker->detector = fb_face_detector_new (&message);
  if (!worker->detector) {
    g_set_error (error, FB_TRACKER_ERROR, FB_TRACKER_ERROR_DETECTOR,
        "Cannot create dlib's face detector: %s", message ? message : "unknown error");
    free (message);
    fb_detection_worker_free (worker);
    return NULL;
  }
  worker->thread = g_thread_try_new (thread_name, detection_thread, worker, &thread_error);
  if (!worker->thread) {
    g_set_error (error, FB_TRACKER_ERROR, FB_TRACKER_ERROR_THREAD,
        "Cannot start the face detection thread: %s", thread_error->message);
    g_error_free (thread_error);
    fb_detection_worker_free (worker);
    return NULL;
  }
  return worker;
}

void
fb_detection_worker_free (FbDetectionWorker * worker)
{
  if (!worker)
    return;
  if (worker->thread) {
    g_mutex_lock (&worker->lock);
    worker->quit = TRUE;
    g_cond_broadcast (&worker->cond);
    g_mutex_unlock (&worker->lock);
    g_thread_join (worker->thread);
  }
  fb_face_detector_free (worker->detector);
  fb_image_free (worker->image);
  g_mutex_clear (&worker->lock);
  g_cond_clear (&worker->cond);
  g_free (worker);
}

/* Whether a run is going on. */
static gboolean
is_running (FbDetectionWorker * worker)
{
  gboolean running;

  g_mutex_lock (&worker->lock);
  running = worker->running;
  g_mutex_unlock (&worker->lock);
  return running;
}

FbImage *
fb_detection_worker_image (FbDetectionWorker * worker, int width, int height)
{
  g_return_val_if_fail (!is_running (worker), NULL);

  fb_image_ensure (&worker->image, width, height, 1);
  return worker->image;
}

const FbImage *
fb_detection_worker_last_image (const FbDetectionWorker * worker)
{
  return worker->image;
}

void
fb_detection_worker_start (FbDetectionWorker * worker, float enlarge)
{
  g_mutex_lock (&worker->lock);
  worker->enlarge = enlarge;
  worker->result_ready = FALSE;
  worker->requested = TRUE;
  worker->running = TRUE;
  g_cond_broadcast (&worker->cond);
  g_mutex_unlock (&worker->lock);
}

gboolean
fb_detection_worker_busy (FbDetectionWorker * worker)
{
  gboolean busy;

  g_mutex_lock (&worker->lock);
  busy = worker->running || worker->result_ready;
  g_mutex_unlock (&worker->lock);
  return busy;
}

void
fb_detection_worker_wait (FbDetectionWorker * worker)
{
  g_mutex_lock (&worker->lock);
  while (worker->running)
    g_cond_wait (&worker->cond, &worker->lock);
  g_mutex_unlock (&worker->lock);
}

int
fb_detection_worker_take (FbDetectionWorker * worker, FbDetection * out, gint64 * run_us)
{
  int n = -1;

  g_mutex_lock (&worker->lock);
  if (worker->result_ready) {
    worker->result_ready = FALSE;
    n = worker->n_results;
    if (n > 0)
      memcpy (out, worker->results, n * sizeof (out[0]));
    *run_us = worker->run_us;
  }
  g_mutex_unlock (&worker->lock);
  return n;
}
