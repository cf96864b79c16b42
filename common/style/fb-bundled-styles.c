/* faceblit — the bundled styles: names and where they are.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fb-bundled-styles.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "fb-image-io.h"
#include "fb-landmarks.h"

/* tools/make-styles makes each of them (and checks that this list is what it makes). */
static const FbBundledStyle bundled_styles[] = {
  {"oil", "oil painting of the astronaut: bristle strokes and impasto (the default)"},
  {"pencil", "graphite pencil drawing of the astronaut: hatching and outlines"},
  {"charcoal", "charcoal drawing of Grace Hopper on grey paper, smudged, with white chalk"},
  {"pastel", "soft pastel portrait of Grace Hopper on blue-grey paper"},
  {"watercolour", "watercolour of the astronaut: transparent washes with dark edges"},
  {"ink", "pen and ink drawing of Grace Hopper with grey washes and hatching"},
};

const FbBundledStyle *
fb_bundled_styles (guint * n_styles)
{
  *n_styles = G_N_ELEMENTS (bundled_styles);
  return bundled_styles;
}

const FbBundledStyle *
fb_bundled_style_lookup (const char *name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bundled_styles); i++)
    if (g_str_equal (bundled_styles[i].name, name))
      return &bundled_styles[i];
  return NULL;
}

char *
fb_bundled_style_names (void)
{
  GString *names = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bundled_styles); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", bundled_styles[i].name);
  return g_string_free (names, FALSE);
}

static gboolean
path_is_inside (const char *path, const char *folder)
{
  const size_t n = strlen (folder);

  return strncmp (path, folder, n) == 0 && path[n] == G_DIR_SEPARATOR;
}

char *
fb_bundled_data_dir (const char *module_path, const char *data_from_module)
{
  const char *env = g_getenv ("FACEBLIT_DATA_DIR");
  /* GStreamer may have loaded the plugin through a relative GST_PLUGIN_PATH, or
   * through links; nothing of the build tree is looked at unless the module is in it */
  g_autofree char *given = module_path ? g_canonicalize_filename (module_path, NULL) : NULL;
  g_autofree char *module = module_path ? realpath (module_path, NULL) : NULL;
  g_autofree char *module_dir = NULL;
  g_autoptr (GFile) folder = NULL, data = NULL;

  if (env && *env)
    return g_strdup (env);
  if (module && (path_is_inside (given, FB_BUILD_ROOT)
          || path_is_inside (module, FB_BUILD_ROOT)))
    return g_strdup (FB_SOURCE_DATA_DIR);
  if (g_path_is_absolute (data_from_module) || !module)
    return g_strdup (data_from_module);
  module_dir = g_path_get_dirname (module);
  /* GFile resolves the ".." of the relative path, so that messages read well */
  folder = g_file_new_for_path (module_dir);
  data = g_file_resolve_relative_path (folder, data_from_module);
  return g_file_get_path (data);
}

char *
fb_landmarks_path_beside (const char *image)
{
  const char *dot = strrchr (image, '.');
  const char *base = strrchr (image, G_DIR_SEPARATOR);
  g_autofree char *stem = dot && (!base || dot > base) ? g_strndup (image, dot - image) :
      g_strdup (image);

  return g_strconcat (stem, FB_LANDMARKS_SUFFIX, NULL);
}

/* NAME.lm.txt beside NAME.png, if there is one. */
static char *
sibling_landmarks (const char *image)
{
  char *path = fb_landmarks_path_beside (image);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return path;
  g_free (path);
  return NULL;
}

gboolean
fb_bundled_style_resolve (const char *style, const char *data_dir, char **image,
    char **landmarks, GError ** error)
{
  g_autofree char *names = NULL;

  if (g_file_test (style, G_FILE_TEST_EXISTS) || !fb_bundled_style_lookup (style)) {
    if (!g_file_test (style, G_FILE_TEST_EXISTS) && !strchr (style, G_DIR_SEPARATOR)
        && !strchr (style, '.')) {
      names = fb_bundled_style_names ();
      g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_NOT_FOUND, "'%s' is "
          "neither a file nor the name of a bundled style. The bundled styles are: %s "
          "(faceblit-style --list describes them); else give the path of a PNG or JPEG "
          "portrait", style, names);
      return FALSE;
    }
    /* a path: fb_style_load () says what is wrong with it, if anything */
    *image = g_strdup (style);
    *landmarks = sibling_landmarks (style);
    return TRUE;
  }
  *image = g_strdup_printf ("%s" G_DIR_SEPARATOR_S "styles" G_DIR_SEPARATOR_S "%s.png",
      data_dir, style);
  *landmarks = g_strdup_printf ("%s" G_DIR_SEPARATOR_S "styles" G_DIR_SEPARATOR_S "%s"
      FB_LANDMARKS_SUFFIX, data_dir, style);
  if (!g_file_test (*image, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_NOT_FOUND, "the bundled style '%s' "
        "should be at %s, which is missing: is faceblit installed completely (its data "
        "folder, share/faceblit, beside lib/)? FACEBLIT_DATA_DIR names another data "
        "folder", style, *image);
    g_clear_pointer (image, g_free);
    g_clear_pointer (landmarks, g_free);
    return FALSE;
  }
  return TRUE;
}
