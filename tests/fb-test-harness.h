/* faceblit — the element in a GstHarness, and the faces and frames the element tests
 * feed it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "fb-dlib.h"
#include "fb-image.h"
#include "fb-landmarks.h"

G_BEGIN_DECLS

/* What every element test program does first: gst_check_init, FACEBLIT_DATA_DIR at the
 * source tree's data folder (never an installed copy; its path in *source_data_dir),
 * and, when tmp_template is not NULL, a scratch folder made from it (*tmp_dir). FALSE
 * when that folder cannot be made. */
gboolean fb_test_program_init (int *argc, char ***argv, const gchar * tmp_template,
    gchar ** source_data_dir, gchar ** tmp_dir);
/* Removes the scratch folder (if any) and frees both paths. */
void fb_test_program_finish (gchar * source_data_dir, gchar * tmp_dir);

/* A faceblit with the given properties (NULL-terminated name/value pairs) in a
 * harness, on a bus of its own so that a test can pop what the element posts. Caps
 * are the caller's to set. */
GstHarness *fb_test_harness_new_valist (const gchar * first_property, va_list args);

/* Fails the test on any error or warning on the bus. */
void fb_test_assert_bus_quiet (GstBus * bus);

/* The tests' streams: 30 frames per second. */
#define FB_TEST_FRAME_DURATION (GST_SECOND / 30)
void fb_test_video_info_init (GstVideoInfo * info, GstVideoFormat format, int width,
    int height);

/* The element in a harness fed RGB pictures as frames. */
typedef struct
{
  GstHarness *h;
  GstVideoInfo info;
  guint n_pushed;
} FbTestRun;

/* Starts faceblit with the given properties (NULL-terminated name/value pairs) on a
 * stream of `format` at 30 frames per second. */
void fb_test_run_start (FbTestRun * run, GstVideoFormat format, int width, int height,
    const gchar * first_property, ...);
/* New caps for the frames pushed from now on. */
void fb_test_run_set_caps (FbTestRun * run, GstVideoFormat format, int width,
    int height);
/* Fails the test on any error or warning the element posted so far. */
void fb_test_run_assert_quiet (FbTestRun * run);
/* fb_test_run_assert_quiet, then tears the harness down. */
void fb_test_run_stop (FbTestRun * run);
/* Pushes an RGB picture as the next frame, a discontinuity if asked (the element then
 * forgets its faces and detects at once); returns the output and, if asked, the input
 * as the element saw it (converted to the stream's format). */
GstBuffer *fb_test_run_push_full (FbTestRun * run, const FbImage * rgb,
    gboolean discont, GstBuffer ** input);

/* A portrait and its landmarks as dlib finds them. */
typedef struct
{
  FbImage *image;
  FbLandmarks landmarks;
} FbTestFace;

/* Loads the portrait at `path` and fits its landmarks; FALSE with `error` set. */
gboolean fb_test_face_load (FbTestFace * face, const gchar * path,
    const FbShapeModel * model, GError ** error);
void fb_test_face_clear (FbTestFace * face);

/* Where the centre of a face's landmarks lands in a frame, its scale and its turn
 * (radians, clockwise on screen). */
typedef struct
{
  float x, y, scale, angle;
} FbTestPlacement;

/* The face drawn at `p` in a width x height RGB frame over a flat grey, and, when
 * `lm` is given, its landmarks there. */
FbImage *fb_test_render_face (const FbTestFace * face, FbTestPlacement p, int width,
    int height, FbLandmarks * lm);

/* The face's picture with red and blue swapped: as an exemplar, it turns the skin of
 * the faces it restyles blue, which mean_red_minus_blue tells from skin. */
FbImage *fb_test_swap_red_blue (const FbImage * rgb);

/* Writes `rgb` as DIR/NAME.png and the face's landmarks as DIR/NAME.lm.txt, the two
 * files of a style; returns their paths (g_free). */
gboolean fb_test_save_style (const FbImage * rgb, const FbLandmarks * lm,
    const gchar * dir, const gchar * name, gchar ** image, gchar ** landmarks,
    GError ** error);

/* Well inside the face: between the eye centres, from the eyes to the upper lip. */
FbRect fb_test_inner_face (const FbLandmarks * lm);

/* Mean absolute difference of two RGB pictures' channels over `r`. */
double fb_test_mean_abs_diff (const FbImage * a, const FbImage * b, FbRect r);

/* Mean of red minus blue over `r`: positive on skin, negative once restyled by a
 * swapped exemplar. */
double fb_test_mean_red_minus_blue (const FbImage * rgb, FbRect r);

/* An RGB picture as a buffer of `info`'s format and size, and back (plain GLib
 * assertions: test-cuda-pipeline, a GLib test, uses them too). */
GstBuffer *fb_test_buffer_from_rgb (const FbImage * rgb, const GstVideoInfo * info);
FbImage *fb_test_buffer_to_rgb (GstBuffer * buffer, const GstVideoInfo * info);

/* The exemplars the element tests use, written to a folder: the astronaut as her own
 * exemplar ("plain") and with red and blue swapped ("blue"), her landmarks beside each. */
typedef struct
{
  FbTestFace astronaut;
  gchar *plain, *plain_lm, *blue, *blue_lm;
} FbTestStyles;

/* FALSE, saying on stdout what is missing, when the astronaut or dlib's model is not
 * installed (styles->astronaut.image stays NULL); exits on any other failure. */
gboolean fb_test_styles_prepare (FbTestStyles * styles, const gchar * dir);
void fb_test_styles_clear (FbTestStyles * styles);

/* How many "face" region-of-interest metas the element put on the buffer. */
guint fb_test_count_faces (GstBuffer * buffer);

G_END_DECLS
