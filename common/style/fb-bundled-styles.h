/* faceblit — the bundled styles: their names, and where their exemplars are. A style
 * can be named (style=charcoal) instead of given as a path; the names are found in the
 * styles folder of the data folder installed beside the plugin and the tools
 * (PREFIX/share/faceblit/styles/NAME.png and NAME.lm.txt), found at run time relative
 * to where they are, so that an install moved to another folder keeps working.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  const char *description;
} FbBundledStyle;

/* An exemplar NAME.png has its landmarks in NAME.lm.txt beside it. */
#define FB_LANDMARKS_SUFFIX ".lm.txt"
/* The path NAME.lm.txt beside NAME.png, whether or not there is a file. g_free. */
char *fb_landmarks_path_beside (const char *image);

/* The style the element uses when none is set. */
#define FB_DEFAULT_STYLE_NAME "oil"

/* The bundled styles, in the order of `faceblit-style --list`; *n_styles is set. */
const FbBundledStyle *fb_bundled_styles (guint * n_styles);
const FbBundledStyle *fb_bundled_style_lookup (const char *name);
/* "oil, pencil, ..." */
char *fb_bundled_style_names (void);

/* The data folder: $FACEBLIT_DATA_DIR if set; else, when module_path (the file of the
 * running plugin or program) lies in the build tree, the source tree's data/ (running
 * uninstalled); else module_path's folder joined with data_from_module (a path relative
 * to it, or absolute). */
char *fb_bundled_data_dir (const char *module_path, const char *data_from_module);

/* What a `style` value means: an existing file is an exemplar (its landmarks, if
 * *landmarks is set to non-NULL, lie beside it); else a bundled name is the exemplar and
 * landmarks in data_dir/styles. Anything else is an error that says which names there
 * are. *landmarks is NULL when there is no landmarks file beside an exemplar. */
gboolean fb_bundled_style_resolve (const char *style, const char *data_dir, char **image,
    char **landmarks, GError ** error);

G_END_DECLS
