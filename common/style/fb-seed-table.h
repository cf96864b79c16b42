/* faceblit — the seed lookup table u*(pos, app) of DESIGN.md §2.5.
 * For every quantised position and appearance level it stores the style pixel u that
 * minimises lambda_pos_px * |u - pos|_1 + lambda_app * |G_app_S(u) - app|, built
 * exactly by a weighted L1 distance transform per appearance level (separable: forward
 * and backward passes along the columns, then along the rows), on all cores.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include "fb-image.h"
#include "fb-seed-lookup.h"

G_BEGIN_DECLS

typedef struct {
  int width;                    /* of the style level the table belongs to */
  int height;
  int step;                     /* position quantisation, pixels */
  int cols;                     /* ceil (width / step) */
  int rows;                     /* ceil (height / step) */
  int n_app;                    /* appearance levels; app value a falls in bin a * n_app / 256 */
  uint32_t *entries;            /* [bin][row][col] -> FB_PIXEL_PACK of the best style pixel */
  GBytes *storage;              /* when not NULL, entries lie inside it (a loaded cache) */
} FbSeedTable;

/* guide: 1-channel appearance guide of the style level. Cell (col, row) stands for the
 * position (col * step, row * step); bin b for appearance value (b + 0.5) * 256 / n_app. */
FbSeedTable *fb_seed_table_build (const FbImage * guide, int step, int n_app,
    float lambda_pos_px, float lambda_app);
/* fb_seed_table_build that gives up between appearance bins once cancellable is
 * cancelled: NULL then. */
FbSeedTable *fb_seed_table_build_cancellable (const FbImage * guide, int step, int n_app,
    float lambda_pos_px, float lambda_app, GCancellable * cancellable);
/* Bytes fb_seed_table_build allocates for a width x height guide: the table and the
 * scratch of the threads it runs on. */
guint64 fb_seed_table_build_bytes (int width, int height, int step, int n_app);
/* A table of the given geometry whose entries (fb_seed_table_n_entries of them, native
 * byte order) lie in bytes at offset; bytes is kept referenced, not copied. NULL unless bytes hold them, aligned,
 * and every entry is a pixel of the width x height level. */
FbSeedTable *fb_seed_table_new_from_bytes (GBytes * bytes, gsize offset, int width,
    int height, int step, int n_app);
/* TRUE when each of the n entries is a pixel of a width x height level. */
gboolean fb_seed_table_entries_valid (const uint32_t * entries, gsize n, int width,
    int height);
/* fb_seed_table_new_from_bytes without reading the entries again: only for bytes that
 * never change and whose entries fb_seed_table_entries_valid has accepted (a cache
 * payload checked as it was read). */
FbSeedTable *fb_seed_table_new_from_checked_bytes (GBytes * bytes, gsize offset,
    int width, int height, int step, int n_app);
void fb_seed_table_free (FbSeedTable * table);
gsize fb_seed_table_n_entries (const FbSeedTable * table);

G_END_DECLS
