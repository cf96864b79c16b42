/* faceblit-style — prepares a style exemplar for the faceblit element: finds (or loads)
 * the 68 landmarks of its face, prints and saves them, draws them on a preview image for
 * checking, and builds the style once so that its seed tables are in the cache.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fb-bundled-styles.h"
#include "fb-cache.h"
#include "fb-dlib.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-style.h"
#include "fb-tool-util.h"

/* ---- Preview drawing ----------------------------------------------------------------- */

typedef struct {
  int first, last;
  gboolean closed;
  uint8_t colour[3];
  const char *name;
} LandmarkGroup;

/* iBUG-300W groups, each in its own colour (the legend printed by --help). */
static const LandmarkGroup groups[] = {
  {0, 16, FALSE, {255, 140, 0}, "jaw"},
  {17, 21, FALSE, {255, 230, 0}, "right brow"},
  {22, 26, FALSE, {255, 230, 0}, "left brow"},
  {27, 30, FALSE, {60, 220, 60}, "nose bridge"},
  {31, 35, FALSE, {60, 220, 60}, "nostrils"},
  {36, 41, TRUE, {0, 220, 255}, "right eye"},
  {42, 47, TRUE, {60, 120, 255}, "left eye"},
  {48, 59, TRUE, {255, 60, 200}, "outer lips"},
  {60, 67, TRUE, {255, 40, 40}, "inner lips"},
};

/* 3x5 pixel digits, one row per 3 bits, top row first. */
static const uint8_t digit_rows[10][5] = {
  {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
  {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
};

static void
fill_rect (FbImage * img, int x0, int y0, int x1, int y1, const uint8_t * colour)
{
  int x, y;

  for (y = MAX (0, y0); y <= MIN (img->height - 1, y1); y++)
    for (x = MAX (0, x0); x <= MIN (img->width - 1, x1); x++)
      memcpy (fb_image_row (img, y) + x * img->channels, colour, 3);
}

static void
put_square (FbImage * img, int cx, int cy, int half, const uint8_t * colour)
{
  fill_rect (img, cx - half, cy - half, cx + half, cy + half, colour);
}

static void
draw_line (FbImage * img, FbPoint a, FbPoint b, int half, const uint8_t * colour)
{
  const int steps = (int) ceilf (MAX (fabsf (b.x - a.x), fabsf (b.y - a.y))) + 1;
  int i;

  for (i = 0; i <= steps; i++) {
    const float t = (float) i / steps;
    put_square (img, (int) lroundf (a.x + t * (b.x - a.x)),
        (int) lroundf (a.y + t * (b.y - a.y)), half, colour);
  }
}

/* A number in blocky digits with a black outline, so it reads on any background. */
static void
draw_number (FbImage * img, int number, int x, int y, int scale, const uint8_t * colour)
{
  static const uint8_t black[3] = { 0, 0, 0 };
  char text[8];
  int pass, i, row, col;

  g_snprintf (text, sizeof text, "%d", number);
  for (pass = 0; pass < 2; pass++)
    for (i = 0; text[i]; i++)
      for (row = 0; row < 5; row++)
        for (col = 0; col < 3; col++) {
          const int px = x + (i * 4 + col) * scale, py = y + row * scale;
          const int border = pass == 0 ? 1 : 0;
          if (digit_rows[text[i] - '0'][row] & (4 >> col))
            fill_rect (img, px - border, py - border, px + scale - 1 + border,
                py + scale - 1 + border, pass == 0 ? black : colour);
        }
}

static FbImage *
draw_preview (const FbImage * style, const FbLandmarks * lm)
{
  static const uint8_t black[3] = { 0, 0, 0 };
  FbImage *preview = fb_image_new (style->width, style->height, 3);
  /* Marks scale with the face, so that a small or a huge exemplar both read well. */
  const float face = MAX (fb_landmarks_face_width (lm), 60.0f);
  const int dot = MAX (1, (int) (face / 160)), line = MAX (0, dot / 2);
  const int digit = MAX (1, (int) (face / 150));
  int x, y, g, i;

  /* Fade the picture a little so that the marks stand out. */
  for (y = 0; y < style->height; y++) {
    const uint8_t *in = fb_image_row (style, y);
    uint8_t *out = fb_image_row (preview, y);
    for (x = 0; x < style->width * 3; x++)
      out[x] = (uint8_t) ((in[(x / 3) * style->channels + x % 3] * 3 + 128) / 4);
  }
  for (g = 0; g < (int) G_N_ELEMENTS (groups); g++) {
    const LandmarkGroup *grp = &groups[g];
    for (i = grp->first; i < grp->last; i++)
      draw_line (preview, lm->points[i], lm->points[i + 1], line, grp->colour);
    if (grp->closed)
      draw_line (preview, lm->points[grp->last], lm->points[grp->first], line, grp->colour);
  }
  for (g = 0; g < (int) G_N_ELEMENTS (groups); g++) {
    /* Numbers go outwards from their part (from the face's centre for the open
     * lines), where they cover fewer of the other points. */
    FbPoint centre = { 0, 0 };
    const int first = groups[g].closed ? groups[g].first : 0;
    const int last = groups[g].closed ? groups[g].last : FB_N_LANDMARKS - 1;
    for (i = first; i <= last; i++) {
      centre.x += lm->points[i].x / (last - first + 1);
      centre.y += lm->points[i].y / (last - first + 1);
    }
    for (i = groups[g].first; i <= groups[g].last; i++) {
      const FbPoint p = lm->points[i];
      const float dx = p.x - centre.x, dy = p.y - centre.y;
      const float len = MAX (sqrtf (dx * dx + dy * dy), 1e-3f);
      const int text_w = (i < 10 ? 3 : 7) * digit, text_h = 5 * digit;
      const float reach = dot + 3 + 0.5f * MAX (text_w, text_h);
      const int px = (int) lroundf (p.x), py = (int) lroundf (p.y);
      put_square (preview, px, py, dot + 1, black);
      put_square (preview, px, py, dot, groups[g].colour);
      draw_number (preview, i, (int) lroundf (p.x + dx / len * reach - text_w / 2.0f),
          (int) lroundf (p.y + dy / len * reach - text_h / 2.0f), digit, groups[g].colour);
    }
  }
  return preview;
}

/* The data folder of the bundled styles, beside this program's file. */
static char *
data_dir (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  return fb_bundled_data_dir (self, FB_DATA_DIR_FROM_BIN_DIR);
}

/* The landmark editor is installed in the data folder (a link there to tools/ in the
 * source tree). */
static char *
landmark_editor_path (void)
{
  g_autofree char *dir = data_dir ();

  return g_build_filename (dir, "landmark-editor.html", NULL);
}

/* ---- Landmarks ----------------------------------------------------------------------- */

/* Fits the landmarks in face_box when given, else in the box of the face that dlib
 * detects (printed, so that a user can adjust it and give it back as --face-box). */
static gboolean
find_landmarks (const FbImage * style, const char *style_path, const char *model_path,
    const FbRect * face_box, FbLandmarks * lm, GError ** error)
{
  char *message = NULL;
  FbShapeModel *model;
  FbRect box;
  gboolean ok;

  if (!g_file_test (model_path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FB_TOOL_ERROR, 0, "dlib's landmark model %s is missing: install "
        "libdlib-data, or give --model PATH, or give the landmarks with --landmarks FILE",
        model_path);
    return FALSE;
  }
  model = fb_shape_model_load (model_path, &message);
  if (!model) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Cannot load dlib's landmark model %s: %s",
        model_path, message ? message : "unknown error");
    free (message);
    return FALSE;
  }
  if (face_box) {
    box = *face_box;
    ok = TRUE;
  } else if ((ok = fb_style_detect_face (style, &box, error))) {
    g_printerr ("dlib found the face in the box %d,%d,%d,%d (X,Y,W,H, what --face-box "
        "takes).\n", box.x, box.y, box.width, box.height);
  }
  ok = ok && fb_style_fit_landmarks (style, model, box, lm, error);
  fb_shape_model_free (model);
  if (!ok && g_error_matches (*error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE)) {
    g_autofree char *editor = landmark_editor_path ();
    GError *no_face = g_error_new (FB_TOOL_ERROR, 0, "%s: dlib finds no face in it. Is "
        "the face frontal, upright and at least ~80 px wide? Otherwise give the box "
        "around the face with --face-box X,Y,W,H, or place the 68 landmarks in the "
        "landmark editor (%s) and give them with --landmarks FILE", style_path, editor);
    g_clear_error (error);
    g_propagate_error (error, no_face);
  } else if (!ok) {
    g_prefix_error (error, "%s: ", style_path);
  }
  return ok;
}

/* X,Y,W,H in whole pixels, W and H at least 2 (what the shape predictor needs). */
static gboolean
parse_face_box (const char *text, FbRect * box)
{
  double v[4];
  int i;

  if (!fb_tool_parse_numbers (text, ",", v, 4))
    return FALSE;
  for (i = 0; i < 4; i++)
    if (v[i] != floor (v[i]) || fabs (v[i]) > 1e6)
      return FALSE;
  *box = (FbRect) { (int) v[0], (int) v[1], (int) v[2], (int) v[3] };
  return box->width >= 2 && box->height >= 2;
}

/* The box may reach past the edges (of a face cut by the frame, as dlib's boxes do),
 * but a box whose centre is off the picture holds no face to fit. */
static gboolean
check_face_box (const FbImage * style, const char *style_path, const FbRect * box,
    GError ** error)
{
  const double cx = box->x + box->width / 2.0, cy = box->y + box->height / 2.0;

  if (cx >= 0 && cy >= 0 && cx <= style->width && cy <= style->height)
    return TRUE;
  g_set_error (error, FB_TOOL_ERROR, 0, "--face-box %d,%d,%d,%d lies outside the %dx%d "
      "image %s (its centre is at %.0f,%.0f): give X,Y (the top-left corner), W and H "
      "in the image's pixels, the box around the face from the brows to the chin",
      box->x, box->y, box->width, box->height, style->width, style->height, style_path,
      cx, cy);
  return FALSE;
}

/* The landmarks must lie on the picture, and the face must be big enough to stylize. */
static gboolean
check_landmarks (const FbImage * style, const FbLandmarks * lm, const char *source,
    GError ** error)
{
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++) {
    const FbPoint p = lm->points[i];
    if (!(p.x >= 0 && p.y >= 0 && p.x <= style->width - 1 && p.y <= style->height - 1)) {
      g_set_error (error, FB_TOOL_ERROR, 0, "%s: landmark %d (%.1f, %.1f) lies outside the "
          "%dx%d image; are these the landmarks of this image?", source, i, p.x, p.y,
          style->width, style->height);
      return FALSE;
    }
  }
  return TRUE;
}

static void
print_advice (const FbImage * style, const FbLandmarks * lm)
{
  const float face = fb_landmarks_face_width (lm);

  g_printerr ("Face width (jaw point 0 to 16): %.0f px in a %dx%d image.\n", face,
      style->width, style->height);
  if (face < 200)
    g_printerr ("Note: the face is small; strokes will be coarse next to a large video "
        "face. A face 300-400 px wide works best.\n");
  else if (face > 600)
    g_printerr ("Note: the face is very large; it costs time and memory without "
        "improving the result. A face 300-400 px wide works best.\n");
}

/* ---- Command line -------------------------------------------------------------------- */

static int
list_styles (void)
{
  g_autofree char *dir = data_dir ();
  const FbBundledStyle *styles;
  guint i, n;

  styles = fb_bundled_styles (&n);
  for (i = 0; i < n; i++)
    g_print ("%-12s %s\n", styles[i].name, styles[i].description);
  g_printerr ("(in %s" G_DIR_SEPARATOR_S "styles)\n", dir);
  return 0;
}

static char *
make_description (void)
{
  g_autofree char *editor = landmark_editor_path ();
  GString *text = g_string_new (NULL);
  int g;

  g_string_append (text,
      "Prints the 68 landmarks of the face in STYLE.png (PNG or JPEG) on standard output,\n"
      "one 'x y' per line in iBUG-300W order; messages go to standard error.\n"
      "Like the element, it takes the landmarks from --landmarks, else from NAME.lm.txt\n"
      "beside NAME.png, else finds them with dlib (--detect always does; --face-box\n"
      "fits them in a box you give, for drawings in which dlib finds no face).\n\n"
      "The preview draws each point with its number, one colour per part:\n");
  for (g = 0; g < (int) G_N_ELEMENTS (groups); g++)
    g_string_append_printf (text, "  %2d-%2d %s (#%02x%02x%02x)\n", groups[g].first,
        groups[g].last, groups[g].name, groups[g].colour[0], groups[g].colour[1],
        groups[g].colour[2]);
  g_string_append (text,
      "Check that the jaw hugs the face, the eye and lip outlines close around them and\n"
      "points 36 and 45 are the outer eye corners. If dlib misplaces points, drag them\n"
      "into place in the landmark editor, a web page that works offline:\n");
  g_string_append_printf (text, "  %s\n", editor);
  g_string_append (text,
      "and pass the file it saves with --landmarks.\n\n"
      "Examples:\n"
      "  faceblit-style --save-landmarks me.lm.txt --preview me-check.png me.png\n"
      "  faceblit-style --landmarks me.lm.txt --warm-cache me.png\n"
      "  faceblit-style --face-box 140,90,260,280 --save-landmarks drawing.lm.txt \\\n"
      "      --preview drawing-check.png drawing.png\n\n"
      "Nothing is overwritten without --force. Exit status: 0 success, 1 failure,\n"
      "2 wrong usage.");
  return g_string_free (text, FALSE);
}

int
main (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *landmarks_path = NULL, *save_path = NULL;
  g_autofree char *preview_path = NULL, *description = NULL, *face_box_text = NULL;
  gboolean warm_cache = FALSE, force = FALSE, detect = FALSE, list = FALSE;
  /* The element's defaults: the cache holds tables per value. */
  double lambda_pos = FB_STYLE_DEFAULT_LAMBDA_POS, lambda_app = FB_STYLE_DEFAULT_LAMBDA_APP;
  GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
        "dlib's 68-point shape predictor (default " FB_DEFAULT_MODEL ")", "PATH"},
    {"landmarks", 'l', 0, G_OPTION_ARG_FILENAME, &landmarks_path,
        "Use these landmarks (one 'x y' per line) instead of finding the face", "FILE"},
    {"detect", 'd', 0, G_OPTION_ARG_NONE, &detect,
        "Find the landmarks with dlib even when NAME.lm.txt lies beside the image", NULL},
    {"face-box", 'b', 0, G_OPTION_ARG_STRING, &face_box_text,
        "Fit the landmarks in this box around the face (image pixels: top-left corner, "
          "width, height; brows to chin) instead of detecting the face: for drawings, "
          "in which dlib rarely finds one", "X,Y,W,H"},
    {"save-landmarks", 's', 0, G_OPTION_ARG_FILENAME, &save_path,
        "Write the landmarks to OUT, in the same format", "OUT"},
    {"preview", 'p', 0, G_OPTION_ARG_FILENAME, &preview_path,
        "Draw the numbered landmarks on a copy of the image, as PNG", "OUT.png"},
    {"warm-cache", 'w', 0, G_OPTION_ARG_NONE, &warm_cache,
        "Build the style as the element will (pyramid, guides, seed tables) so that its "
          "seed tables are in the cache; print the time it took and whether they were "
          "cached already", NULL},
    {"lambda-pos", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_pos,
        "With --warm-cache: the element's lambda-pos the tables are for (default 10)", "W"},
    {"lambda-app", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_app,
        "With --warm-cache: the element's lambda-app the tables are for (default 2)", "W"},
    {"force", 'f', 0, G_OPTION_ARG_NONE, &force,
        "Overwrite the files of --save-landmarks and --preview if they exist", NULL},
    {"list", 0, 0, G_OPTION_ARG_NONE, &list,
        "List the bundled styles (names that STYLE and the element's style property "
          "take) and exit", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("STYLE.png|NAME");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) style = NULL;
  g_autoptr (FbToolOutput) save_output = NULL, preview_output = NULL;
  g_autofree char *sibling_path = NULL, *style_path = NULL, *bundled_lm = NULL;
  g_autofree char *dir = NULL;
  FbLandmarks lm;
  FbRect face_box;
  int i;

  /* The terminal's character set for messages; numbers stay in C format for files. */
  setlocale (LC_CTYPE, "");
  description = make_description ();
  g_option_context_set_summary (context,
      "Prepares a style exemplar for the faceblit element: finds its face's landmarks,\n"
      "saves them, draws them for checking and fills the style cache.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fb_tool_usage (context, error->message);
  if (list)
    return list_styles ();
  if (argc != 2)
    return fb_tool_usage (context, "Give exactly one STYLE image or bundled style name");
  if (detect && landmarks_path)
    return fb_tool_usage (context, "Give either --landmarks or --detect");
  if (face_box_text && landmarks_path)
    return fb_tool_usage (context, "Give either --landmarks or --face-box");
  if (face_box_text && !parse_face_box (face_box_text, &face_box))
    return fb_tool_usage (context, "--face-box wants X,Y,W,H in whole pixels, W and H "
        "at least 2, e.g. --face-box 120,80,300,300");
  if (lambda_pos < 0 || lambda_pos > 1000 || lambda_app < 0 || lambda_app > 1000)
    return fb_tool_usage (context, "--lambda-pos and --lambda-app range from 0 to 1000");
  dir = data_dir ();
  if (!fb_bundled_style_resolve (argv[1], dir, &style_path, &bundled_lm, &error))
    return fb_tool_fail (error);
  sibling_path = fb_landmarks_path_beside (style_path);
  if (!landmarks_path && !detect && !face_box_text && g_file_test (sibling_path, G_FILE_TEST_IS_REGULAR)) {
    landmarks_path = g_strdup (sibling_path);
    g_printerr ("Using the landmarks in %s (--detect finds them with dlib instead).\n",
        landmarks_path);
  }
  if (!model_path)
    model_path = g_strdup (FB_DEFAULT_MODEL);

  /* Refuse early, before any slow work, when an output is in the way. */
  if (save_path && !(save_output = fb_tool_output_begin (save_path, force, &error)))
    return fb_tool_fail (error);
  if (preview_path && !(preview_output = fb_tool_output_begin (preview_path, force, &error)))
    return fb_tool_fail (error);

  style = fb_image_load (style_path, &error);
  if (!style)
    return fb_tool_fail (error);

  if (landmarks_path) {
    if (!fb_landmarks_load (landmarks_path, &lm, &error)
        || !check_landmarks (style, &lm, landmarks_path, &error))
      return fb_tool_fail (error);
  } else {
    gint64 start = g_get_monotonic_time ();
    if ((face_box_text && !check_face_box (style, style_path, &face_box, &error))
        || !find_landmarks (style, style_path, model_path,
            face_box_text ? &face_box : NULL, &lm, &error))
      return fb_tool_fail (error);
    g_printerr ("Found the landmarks in %s in %.0f ms.\n", style_path,
        (g_get_monotonic_time () - start) / 1000.0);
    if (!check_landmarks (style, &lm, style_path, &error))
      return fb_tool_fail (error);
  }
  for (i = 0; i < FB_N_LANDMARKS; i++)
    g_print ("%.2f %.2f\n", lm.points[i].x, lm.points[i].y);
  print_advice (style, &lm);

  if (save_output) {
    if (!fb_landmarks_save (save_output->temp_path, &lm, &error)
        || !fb_tool_output_commit (save_output, &error))
      return fb_tool_fail (error);
    g_printerr ("Saved the landmarks to %s.\n", save_path);
  }
  /* Warm the cache for what the element will read: the file beside the image (maybe
   * just saved) wins over fresh detection, and file values are rounded. */
  if (warm_cache && !landmarks_path && g_file_test (sibling_path, G_FILE_TEST_IS_REGULAR)
      && !fb_landmarks_load (sibling_path, &lm, &error))
    return fb_tool_fail (error);
  if (preview_output) {
    g_autoptr (FbImage) preview = draw_preview (style, &lm);
    if (!fb_image_save_png (preview, preview_output->temp_path, &error)
        || !fb_tool_output_commit (preview_output, &error))
      return fb_tool_fail (error);
    g_printerr ("Drew the landmarks on %s.\n", preview_path);
  }
  if (warm_cache) {
    const FbStyleParams params = { (float) lambda_pos, (float) lambda_app };
    gint64 start = g_get_monotonic_time ();
    g_autoptr (FbStyle) built = fb_style_new (style, &lm, &params, &error);
    if (!built) {
      g_prefix_error (&error, "%s: ", style_path);
      return fb_tool_fail (error);
    }
    g_printerr ("%s the style in %.2f s (%d levels; seed tables %s %s).\n",
        built->from_cache ? "Loaded" : "Built", (g_get_monotonic_time () - start) / 1e6,
        built->n_levels, built->from_cache ? "were already in" : "now stored in",
        fb_cache_dir ());
  }
  return 0;
}
