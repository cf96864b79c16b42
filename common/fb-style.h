/* faceblit — a prepared style exemplar: its pyramid of levels, guides and seed tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-dlib.h"
#include "fb-guide.h"
#include "fb-image.h"
#include "fb-landmarks.h"
#include "fb-seed-table.h"

G_BEGIN_DECLS

#define FB_STYLE_MAX_LEVELS 3

/* Defaults of FbStyleParams, shared by the element and the tools. */
#define FB_STYLE_DEFAULT_LAMBDA_POS 10.0f
#define FB_STYLE_DEFAULT_LAMBDA_APP 2.0f

/* Everything the seed tables depend on besides the exemplar itself. */
typedef struct {
  float lambda_pos;             /* weight per 1 % of the style's face width of positional error */
  float lambda_app;             /* weight per grey level of appearance error */
} FbStyleParams;

typedef struct {
  int scale;                    /* 2^level: this level is the exemplar shrunk by it */
  FbImage *rgb;                 /* 3 channels */
  FbImage *rgb_blurred;         /* for the temporal term */
  FbImage *guide;               /* appearance guide, contrast-stretched */
  FbImage *mask;                /* head mask of the style face, 1 channel, hard edge */
  FbLandmarks landmarks;        /* in this level's pixels */
  FbHistogram histogram;        /* of guide inside mask */
  float face_width;             /* in this level's pixels */
  float lambda_pos_px;          /* lambda_pos per pixel of this level */
  FbSeedTable *table;
} FbStyleLevel;

typedef struct {
  gint ref_count;
  int n_levels;                 /* levels whose face is at least ~48 px wide */
  FbStyleLevel levels[FB_STYLE_MAX_LEVELS];
  FbStyleParams params;
  char *digest;                 /* content hash of exemplar + landmarks + params */
  gboolean from_cache;          /* the seed tables came from the disk cache */
} FbStyle;

#define FB_STYLE_ERROR (fb_style_error_quark ())
GQuark fb_style_error_quark (void);
typedef enum {
  FB_STYLE_ERROR_NO_FACE,       /* no face found in the exemplar and no landmark file */
  FB_STYLE_ERROR_LANDMARKS,     /* landmarks outside the image or degenerate */
  FB_STYLE_ERROR_DETECTION,     /* dlib's detector or shape predictor failed to run */
} FbStyleError;

/* Builds (or loads from the cache) everything for rgb (3 channels) with landmarks lm. */
FbStyle *fb_style_new (const FbImage * rgb, const FbLandmarks * lm,
    const FbStyleParams * params, GError ** error);

/* Loads image_path; takes landmarks from landmarks_path when not NULL, otherwise finds
 * the face with dlib (model needed then). Errors name the file and say what to do. */
FbStyle *fb_style_load (const char *image_path, const char *landmarks_path,
    const FbShapeModel * model, const FbStyleParams * params, GError ** error);

/* Finds the largest face in an RGB image and fits its landmarks: fb_style_detect_face
 * then fb_style_fit_landmarks. */
gboolean fb_style_detect_landmarks (const FbImage * rgb, const FbShapeModel * model,
    FbLandmarks * out, GError ** error);
/* The box (full-size pixels) of the largest confident face dlib's detector finds. */
gboolean fb_style_detect_face (const FbImage * rgb, FbRect * box_out, GError ** error);
/* Fits the 68 landmarks in a face box that may extend past the image (read as black). */
gboolean fb_style_fit_landmarks (const FbImage * rgb, const FbShapeModel * model,
    FbRect box, FbLandmarks * out, GError ** error);

FbStyle *fb_style_ref (FbStyle * style);
void fb_style_unref (FbStyle * style);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbStyle, fb_style_unref)

G_END_DECLS
