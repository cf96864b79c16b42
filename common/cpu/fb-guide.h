/* faceblit — blur, appearance guide and histogram matching (DESIGN.md §2.4).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-image.h"

G_BEGIN_DECLS

/* Blur sigma of the appearance guide as a fraction of the face width (style and target
 * must use the same so that their guides compare). */
#define FB_GUIDE_BLUR_FRACTION 0.015f

/* Approximate Gaussian blur (three box passes each way) of a 1- or 3-channel image; dst
 * is resized to match src. sigma <= 0.5 copies. Edges clamp. */
void fb_blur (const FbImage * src, FbImage ** dst, float sigma);

/* fb_blur's result before it is rounded to bytes: 8.8 fixed point, width * channels
 * values a row, packed, into dst. sigma <= 0.5 widens src as it is. */
void fb_blur_fixed (const FbImage * src, float sigma, uint16_t * dst);

/* The box passes' count and radii for sigma, as fb_blur runs them: down the columns
 * with radii[0], [1], [2], then along the rows with the same. FALSE (nothing written)
 * for sigma <= 0.5, where fb_blur copies. */
#define FB_BLUR_PASSES 3
gboolean fb_blur_radii (float sigma, int radii[FB_BLUR_PASSES]);

/* (Y - blur(Y, sigma)) / 2 + 128, clamped to 0..255; guide resized to match luma. */
void fb_appearance_guide (const FbImage * luma, float sigma, FbImage ** guide);

/* The radius of the closing that caps thin dark details (fb_cap_thin_dark) on a face
 * this wide, in its pixels: FB_THIN_DARK_RADIUS_FRACTION of it; 0 where it is too
 * small to have any. */
int fb_thin_dark_radius (float face_width);

/* The luma with its thin dark details capped: fb_thin_dark_cap of each pixel and the
 * luma's grey-level closing of `radius` (>= 1; a square: the passes run along the
 * rows, then down the columns), into *out, resized to match the 1-channel luma;
 * *scratch is working memory, kept by the caller between calls. */
void fb_cap_thin_dark (const FbImage * luma, int radius, FbImage ** scratch,
    FbImage ** out);

/* Stretches the guide's contrast symmetrically about 128 so that the 99th percentile
 * of |g - 128| inside mask (NULL = everywhere; mask > 127 counts) reaches 100. */
void fb_guide_stretch_contrast (FbImage * guide, const FbImage * mask);

typedef struct {
  float cdf[256];               /* cumulative, cdf[255] == 1 (all zero if empty) */
} FbHistogram;

/* Histogram of a 1-channel image inside mask (NULL = everywhere; mask > 127 counts). */
void fb_histogram_compute (const FbImage * image, const FbImage * mask, FbHistogram * out);

/* Cumulative histogram of 256 counts. */
void fb_histogram_from_counts (const guint64 counts[256], FbHistogram * out);

/* Remaps every pixel of image through the lookup table that makes its histogram inside
 * mask match `reference`. */
void fb_histogram_match (FbImage * image, const FbImage * mask, const FbHistogram * reference);
/* The same when the image's histogram is known already (e.g. from a sample of it). */
void fb_histogram_match_to (FbImage * image, const FbHistogram * source,
    const FbHistogram * reference);
/* Its lookup table; FALSE (nothing written) where either histogram is empty, which
 * leaves the image as it is. */
gboolean fb_histogram_match_lut (const FbHistogram * source, const FbHistogram * reference,
    uint8_t lut[256]);

G_END_DECLS
