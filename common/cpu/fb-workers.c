/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-workers.h"

/* Persistent threads that take job indices from a shared counter: a frame needs
 * several short parallel passes, so starting threads per pass would cost more than
 * the passes themselves. */
struct FbWorkers {
  int n_threads;
  GThread **threads;
  GMutex lock;
  GCond work_ready;
  GCond work_done;
  guint generation;             /* bumped for each fb_workers_run */
  gboolean quit;
  FbJobFunc job;
  void *data;
  int count;
  gint next_index;              /* atomically claimed */
  int busy;                     /* helper threads still inside the current run */
};

static void
take_jobs (FbWorkers * workers, FbJobFunc job, void *data, int count)
{
  int index;

  while ((index = g_atomic_int_add (&workers->next_index, 1)) < count)
    job (data, index, count);
}

static gpointer
worker_main (gpointer user_data)
{
  FbWorkers *workers = user_data;
  guint seen = 0;

  g_mutex_lock (&workers->lock);
  for (;;) {
    FbJobFunc job;
    void *data;
    int count;

    while (!workers->quit && workers->generation == seen)
      g_cond_wait (&workers->work_ready, &workers->lock);
    if (workers->quit)
      break;
    seen = workers->generation;
    job = workers->job;
    data = workers->data;
    count = workers->count;
    g_mutex_unlock (&workers->lock);

    take_jobs (workers, job, data, count);

    g_mutex_lock (&workers->lock);
    if (--workers->busy == 0)
      g_cond_signal (&workers->work_done);
  }
  g_mutex_unlock (&workers->lock);
  return NULL;
}

FbWorkers *
fb_workers_new (int n_threads)
{
  FbWorkers *workers = g_new0 (FbWorkers, 1);
  int i;

  if (n_threads <= 0)
    n_threads = (int) g_get_num_processors ();
  workers->n_threads = MAX (n_threads, 1);
  g_mutex_init (&workers->lock);
  g_cond_init (&workers->work_ready);
  g_cond_init (&workers->work_done);
  workers->threads = g_new0 (GThread *, workers->n_threads);
  for (i = 1; i < workers->n_threads; i++)
    workers->threads[i] = g_thread_new ("faceblit-worker", worker_main, workers);
  return workers;
}

void
fb_workers_free (FbWorkers * workers)
{
  int i;

  if (!workers)
    return;
  g_mutex_lock (&workers->lock);
  workers->quit = TRUE;
  g_cond_broadcast (&workers->work_ready);
  g_mutex_unlock (&workers->lock);
  for (i = 1; i < workers->n_threads; i++)
    g_thread_join (workers->threads[i]);
  g_free (workers->threads);
  g_mutex_clear (&workers->lock);
  g_cond_clear (&workers->work_ready);
  g_cond_clear (&workers->work_done);
  g_free (workers);
}

int
fb_workers_n_threads (const FbWorkers * workers)
{
  return workers->n_threads;
}

void
fb_workers_run (FbWorkers * workers, FbJobFunc job, void *data, int count)
{
  if (count <= 0)
    return;
  if (workers->n_threads == 1 || count == 1) {
    int i;
    for (i = 0; i < count; i++)
      job (data, i, count);
    return;
  }

  g_mutex_lock (&workers->lock);
  workers->job = job;
  workers->data = data;
  workers->count = count;
  g_atomic_int_set (&workers->next_index, 0);
  workers->busy = workers->n_threads - 1;
  workers->generation++;
  g_cond_broadcast (&workers->work_ready);
  g_mutex_unlock (&workers->lock);

  take_jobs (workers, job, data, count);

  g_mutex_lock (&workers->lock);
  while (workers->busy > 0)
    g_cond_wait (&workers->work_done, &workers->lock);
  g_mutex_unlock (&workers->lock);
}

int
fb_band_count (FbWorkers * workers, int height)
{
  int n = fb_workers_n_threads (workers);

  return n == 1 ? 1 : CLAMP (height / 16, 1, 8 * n);
}
