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

G_END_DECLS
