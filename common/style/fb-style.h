/* faceblit — a prepared style exemplar: its pyramid of levels, guides and seed tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
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

/* An exemplar whose face (jaw point 0 to 16) is wider than FB_STYLE_MAX_FACE_WIDTH is
 * reduced on load, image and landmarks, so that its face is FB_STYLE_WORKING_FACE_WIDTH
 * wide, the bundled exemplar's size: the synthesis works near the frame's face size, and
 * a phone photo's 1500 px face would cost ~170 bytes of memory per exemplar pixel and
 * seconds to prepare for detail no frame shows. Faces up to twice the working width
 * (all the styles shipped or tested, 330 to 540 px) are used as they are. */
#define FB_STYLE_WORKING_FACE_WIDTH 330
#define FB_STYLE_MAX_FACE_WIDTH (2 * FB_STYLE_WORKING_FACE_WIDTH)

/* A style whose preparation would need more memory than this (an exemplar with a face
 * below FB_STYLE_MAX_FACE_WIDTH in a far larger image, say) is refused, before any of
 * it is allocated. */
#define FB_STYLE_MAX_PREPARATION_BYTES ((guint64) 1 << 30)

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
  int background_corner;        /* FB_STYLE_CORNER_* bits: its plainest top corner */
  /* the backdrop's colour at its large scale, the figure left out (3 channels,
   * fb_backdrop_tone_gains), and its mean along the level's border: the tone the
   * backdrop takes where the exemplar ends */
  FbImage *tone;
  int border_tone[3];
  FbSeedTable *table;
} FbStyleLevel;

typedef struct {
  gint ref_count;
  int n_levels;                 /* levels whose face is at least ~48 px wide */
  FbStyleLevel levels[FB_STYLE_MAX_LEVELS];
  FbStyleParams params;
  char *digest;                 /* content hash of exemplar + landmarks + params */
  gboolean from_cache;          /* the seed tables came from the disk cache */
  /* What went wrong with the disk cache while preparing (a damaged entry found and
   * rebuilt, an entry that could not be written), naming the files; NULL when nothing
   * did. Never fatal: for the caller to pass on as a warning. */
  char *cache_warning;
} FbStyle;

#define FB_STYLE_ERROR (fb_style_error_quark ())
GQuark fb_style_error_quark (void);
typedef enum {
  FB_STYLE_ERROR_NO_FACE,       /* no face found in the exemplar and no landmark file */
  FB_STYLE_ERROR_LANDMARKS,     /* landmarks outside the image or degenerate */
  FB_STYLE_ERROR_DETECTION,     /* dlib's detector or shape predictor failed to run */
  FB_STYLE_ERROR_MEMORY,        /* not enough memory for the exemplar */
  FB_STYLE_ERROR_TOO_LARGE,     /* preparing it would need over FB_STYLE_MAX_PREPARATION_BYTES */
} FbStyleError;

/* Builds (or loads from the cache) everything for rgb (3 channels) with landmarks lm,
 * reduced first when its face is wider than FB_STYLE_MAX_FACE_WIDTH. */
FbStyle *fb_style_new (const FbImage * rgb, const FbLandmarks * lm,
    const FbStyleParams * params, GError ** error);

/* Loads image_path; takes landmarks from landmarks_path when not NULL, otherwise finds
 * the face with dlib (model needed then). Errors name the file and say what to do. */
FbStyle *fb_style_load (const char *image_path, const char *landmarks_path,
    const FbShapeModel * model, const FbStyleParams * params, GError ** error);
/* fb_style_load that gives up soon (well within a second) once cancellable is
 * cancelled, from any thread: NULL then, with G_IO_ERROR_CANCELLED, and nothing cached.
 * Reading the file and finding its face with dlib are not interrupted. */
FbStyle *fb_style_load_cancellable (const char *image_path, const char *landmarks_path,
    const FbShapeModel * model, const FbStyleParams * params, GCancellable * cancellable,
    GError ** error);

/* The size a width x height exemplar with landmarks lm is prepared at (see
 * FB_STYLE_MAX_FACE_WIDTH); TRUE when it is reduced. */
gboolean fb_style_working_size (int width, int height, const FbLandmarks * lm,
    int *working_width, int *working_height);

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
