/* faceblit — a small pool of threads that runs row bands in parallel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct FbWorkers FbWorkers;

/* job(data, index, count) is called once for each index in [0, count). */
typedef void (*FbJobFunc) (void *data, int index, int count);

/* n_threads <= 0: one per core. */
FbWorkers *fb_workers_new (int n_threads);
void fb_workers_free (FbWorkers * workers);
int fb_workers_n_threads (const FbWorkers * workers);
/* Runs `count` jobs (the caller's thread takes part) and returns when all are done. */
void fb_workers_run (FbWorkers * workers, FbJobFunc job, void *data, int count);

/* Splits rows [0, height) into bands for job `index` of `count`. */
static inline void
fb_band_rows (int height, int index, int count, int *y0, int *y1)
{
  *y0 = (int) ((gint64) height * index / count);
  *y1 = (int) ((gint64) height * (index + 1) / count);
}

/* Bands for a region of `height` rows: enough to balance the threads, not so many that
 * the hand-off costs more than the rows. */
int fb_band_count (FbWorkers * workers, int height);

G_END_DECLS
