/* faceblit — the 68 facial landmarks (dlib / iBUG-300W order) and their files.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-landmarks.h"
#include "fb-file.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (fb-landmarks-error-quark, fb_landmarks_error);

/* Parses "x y" with optional surrounding blanks; both must be finite numbers. */
static gboolean
parse_point (const char *line, FbPoint * out)
{
  const char *p = line;
  char *end;
  double v[2];
  int i;

  for (i = 0; i < 2; i++) {
    while (g_ascii_isspace (*p))
      p++;
    v[i] = g_ascii_strtod (p, &end);
    if (end == p || !isfinite (v[i]) || fabs (v[i]) > G_MAXFLOAT)
      return FALSE;
    p = end;
  }
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;
  out->x = (float) v[0];
  out->y = (float) v[1];
  return TRUE;
}

/* The line as valid UTF-8, cut to a length that fits an error message. */
static char *
quote_line (const char *line)
{
  const glong max_chars = 60;
  g_autofree char *valid = g_utf8_make_valid (line, -1);

  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);
  *g_utf8_offset_to_pointer (valid, max_chars) = '\0';
  return g_strconcat (valid, "…", NULL);
}

/* 68 lines with comments fit in a few kilobytes: anything far larger is not a
 * landmarks file and not worth reading into memory. */
#define MAX_FILE_SIZE (1 << 20)

static const char utf8_bom[] = "\xef\xbb\xbf";

gboolean
fb_landmarks_load (const char *path, FbLandmarks * out, GError ** error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GError) file_error = NULL;
  FbLandmarks lm;
  char *line, *next, *nul;
  gsize size;
  int n = 0, line_number = 0;

  g_return_val_if_fail (path != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_filename_display_name (path);
  contents = (char *) fb_file_read_regular (path, MAX_FILE_SIZE, NULL, &size, &file_error);
  if (!contents) {
    g_set_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE,
        "Cannot read landmarks file “%s”: %s%s", name, file_error->message,
        g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_TOO_LARGE)
        ? ", far more than 68 “x y” lines need" : "");
    return FALSE;
  }
  /* the lines below end at the first zero byte, and what follows would be ignored */
  nul = memchr (contents, '\0', size);
  if (nul) {
    g_set_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_PARSE,
        "Landmarks file “%s” is not a text file: it holds a zero byte at offset %"
        G_GSIZE_FORMAT "; give a text file of 68 “x y” lines", name,
        (gsize) (nul - contents));
    return FALSE;
  }
  /* editors on Windows start UTF-8 files with a byte-order mark */
  line = g_str_has_prefix (contents, utf8_bom) ? contents + strlen (utf8_bom) : contents;

  for (; line; line = next) {
    char *stripped, *comment;
    FbPoint p;

    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    line_number++;
    comment = strchr (line, '#');
    if (comment)
      *comment = '\0';
    stripped = g_strstrip (line);
    if (stripped[0] == '\0')
      continue;
    if (!parse_point (stripped, &p)) {
      g_autofree char *quote = quote_line (stripped);
      g_set_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_PARSE,
          "Landmarks file “%s”, line %d: “%s” is not a point; each line must hold two "
          "finite numbers “x y” (blank lines and anything after a # are ignored)",
          name, line_number, quote);
      return FALSE;
    }
    if (n < FB_N_LANDMARKS)
      lm.points[n] = p;
    n++;
  }

  if (n != FB_N_LANDMARKS) {
    g_set_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_COUNT,
        "Landmarks file “%s” has %d points, but %d are needed, one “x y” per line in "
        "dlib/iBUG-300W order", name, n, FB_N_LANDMARKS);
    return FALSE;
  }
  *out = lm;
  return TRUE;
}

gboolean
fb_landmarks_save (const char *path, const FbLandmarks * lm, GError ** error)
{
  GString *text;
  g_autoptr (GError) file_error = NULL;
  char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean ok;
  int i;

  g_return_val_if_fail (path != NULL && lm != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = g_string_new ("# 68 facial landmarks, dlib/iBUG-300W order, \"x y\" in pixels\n");
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    /* 9 significant digits give back the same float. */
    g_ascii_formatd (x, sizeof (x), "%.9g", lm->points[i].x);
    g_ascii_formatd (y, sizeof (y), "%.9g", lm->points[i].y);
    g_string_append_printf (text, "%s %s\n", x, y);
  }
  ok = g_file_set_contents_full (path, text->str, text->len,
      G_FILE_SET_CONTENTS_CONSISTENT, 0666, &file_error);
  if (!ok) {
    g_autofree char *name = g_filename_display_name (path);
    g_set_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE,
        "Cannot write landmarks file “%s”: %s", name, file_error->message);
  }
  g_string_free (text, TRUE);
  return ok;
}

static FbPoint
mean_point (const FbLandmarks * lm, int first, int last)
{
  FbPoint c = { 0, 0 };
  int i;

  for (i = first; i <= last; i++) {
    c.x += lm->points[i].x;
    c.y += lm->points[i].y;
  }
  c.x /= last - first + 1;
  c.y /= last - first + 1;
  return c;
}

FbPoint
fb_landmarks_right_eye_centre (const FbLandmarks * lm)
{
  return mean_point (lm, FB_LM_RIGHT_EYE_FIRST, FB_LM_RIGHT_EYE_FIRST + 5);
}

FbPoint
fb_landmarks_left_eye_centre (const FbLandmarks * lm)
{
  return mean_point (lm, FB_LM_LEFT_EYE_FIRST, FB_LM_LEFT_EYE_FIRST + 5);
}

float
fb_landmarks_face_width (const FbLandmarks * lm)
{
  return hypotf (lm->points[FB_LM_JAW_LAST].x - lm->points[FB_LM_JAW_FIRST].x,
      lm->points[FB_LM_JAW_LAST].y - lm->points[FB_LM_JAW_FIRST].y);
}

void
fb_landmarks_bounds (const FbLandmarks * lm, float *x0, float *y0, float *x1, float *y1)
{
  float lx = lm->points[0].x, hx = lx, ly = lm->points[0].y, hy = ly;
  int i;

  for (i = 1; i < FB_N_LANDMARKS; i++) {
    lx = MIN (lx, lm->points[i].x);
    hx = MAX (hx, lm->points[i].x);
    ly = MIN (ly, lm->points[i].y);
    hy = MAX (hy, lm->points[i].y);
  }
  *x0 = lx;
  *y0 = ly;
  *x1 = hx;
  *y1 = hy;
}

void
fb_landmarks_transform (const FbLandmarks * in, FbSimilarity s, FbLandmarks * out)
{
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++)
    out->points[i] = fb_similarity_apply (s, in->points[i]);
}

/* Nose (27-35) and eyes (36-47): the brows and mouth move with expression, the jaw
 * with the head's turn, and neither should shift the canonical face space. */
#define ALIGN_FIRST FB_LM_NOSE_FIRST
#define ALIGN_LAST (FB_LM_MOUTH_FIRST - 1)

FbSimilarity
fb_landmarks_align (const FbLandmarks * from, const FbLandmarks * to)
{
  const int n = ALIGN_LAST - ALIGN_FIRST + 1;
  double fx = 0, fy = 0, tx = 0, ty = 0, dot = 0, cross = 0, norm = 0;
  FbSimilarity s;
  int i;

  for (i = ALIGN_FIRST; i <= ALIGN_LAST; i++) {
    fx += from->points[i].x;
    fy += from->points[i].y;
    tx += to->points[i].x;
    ty += to->points[i].y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  /* With both point sets centred, the least-squares a and b are the projections of
   * `to` onto `from` and onto `from` turned by 90 degrees. */
  for (i = ALIGN_FIRST; i <= ALIGN_LAST; i++) {
    double px = from->points[i].x - fx, py = from->points[i].y - fy;
    double qx = to->points[i].x - tx, qy = to->points[i].y - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm > 0) {
    s.a = (float) (dot / norm);
    s.b = (float) (cross / norm);
  } else {
    /* All points coincide: no rotation or scale can be measured. */
    s.a = 1;
    s.b = 0;
  }
  s.tx = (float) (tx - (s.a * fx - s.b * fy));
  s.ty = (float) (ty - (s.b * fx + s.a * fy));
  return s;
}
