/* faceblit — read and write regions of a video frame in any supported format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-frame-pixels.h"
#include "fb-geometry.h"
#include "fb-image.h"
#include "fb-workers.h"

G_BEGIN_DECLS

/* Copies `rect` (must lie inside the frame) into rgb (resized to rect, 3 channels). */
void fb_frame_read_rgb (const FbFrame * frame, FbRect rect, FbImage ** rgb);

/* Blends rgb over `rect` with per-pixel alpha (1 channel, 0 = keep frame, 255 = replace).
 * Pixels whose alpha is 0 are left bit-exact; for subsampled chroma a chroma sample
 * changes only if one of the luma pixels it covers has alpha > 0. Alpha bytes of
 * 4-byte formats are kept. GRAY8 gets the colours' luma. */
void fb_frame_blend_rgb (FbFrame * frame, FbRect rect, const FbImage * rgb,
    const FbImage * alpha);

/* Luma (0..255, full range) of the whole frame, 1 channel, resized to the frame; row
 * bands split across the workers. */
void fb_frame_read_luma (FbWorkers * workers, const FbFrame * frame, FbImage ** luma);

/* A red 3 x 3 dot on each point (frame pixels) wholly inside the frame. */
void fb_frame_mark_points (FbFrame * frame, const FbPoint * points, int n);

/* 1 (packed formats, GRAY8), 2 (NV12, NV21, P010_10LE) or 3 (I420, I420_10LE). */
int fb_frame_n_planes (FbFormat format);
/* The bytes from a row's first to past its last pixel's, and the rows, of `plane` of
 * a width x height frame. */
int fb_frame_plane_row_bytes (FbFormat format, int width, int plane);
int fb_frame_plane_rows (FbFormat format, int height, int plane);
/* The bytes of `plane` that hold frame rows [y0, y1) (for a chroma plane, the chroma
 * rows they share), from byte *offset of the plane: what copying those rows moves. */
gsize fb_frame_plane_span (const FbFrame * frame, int plane, int y0, int y1,
    gsize * offset);

G_END_DECLS
