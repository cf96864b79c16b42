/* faceblit — the bundled styles in the element: a bundled name works as the style, the
 * default is the bundled default style, a name is looked up in $FACEBLIT_DATA_DIR/styles,
 * an unknown name is an error that lists the names, and the style property's blurb names
 * them.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gst/check/gstcheck.h>

#include "fb-bundled-styles.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

static gchar *tmp_dir;
static gchar *source_data_dir;

/* Takes faceblit to PAUSED with style set (NULL: unset); returns the error it posted,
 * or NULL when it started. */
static GError *
start_with_style (const gchar * style)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstBus *bus = gst_bus_new ();
  GstStateChangeReturn ret;
  GstMessage *msg;
  GError *error = NULL;

  fail_unless (element != NULL);
  if (style)
    g_object_set (element, "style", style, NULL);
  gst_element_set_bus (element, bus);
  ret = gst_element_set_state (element, GST_STATE_PAUSED);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    gst_message_parse_error (msg, &error, NULL);
    gst_message_unref (msg);
  }
  fail_unless ((ret == GST_STATE_CHANGE_FAILURE) == (error != NULL),
      "state change %d, error %s", ret, error ? error->message : "none");
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
  return error;
}

/* A data folder whose styles/NAME.png is not a picture and has no landmarks: starting
 * with it fails and names one of the two files, which shows where the element looked. */
static gchar *
broken_style_data_dir (const gchar * name)
{
  gchar *dir = g_build_filename (tmp_dir, name, NULL);
  gchar *styles = g_build_filename (dir, "styles", NULL);
  gchar *file = g_strdup_printf ("%s/%s.png", styles, name);

  fail_unless (g_mkdir_with_parents (styles, 0700) == 0);
  fail_unless (g_file_set_contents (file, "not a picture", -1, NULL));
  g_free (file);
  g_free (styles);
  return dir;
}

GST_START_TEST (test_every_bundled_name_starts)
{
  const FbBundledStyle *styles;
  guint i, n;

  if (!fb_test_model_path ()) {
    GST_INFO ("skipped: needs dlib's model (libdlib-data)");
    return;
  }
  styles = fb_bundled_styles (&n);
  fail_unless (n >= 6);
  for (i = 0; i < n; i++) {
    GError *error = start_with_style (styles[i].name);
    fail_unless (error == NULL, "style=%s: %s", styles[i].name,
        error ? error->message : "");
  }
}

GST_END_TEST;

GST_START_TEST (test_name_looked_up_in_data_dir)
{
  gchar *dir = broken_style_data_dir ("charcoal");
  gchar *expected = g_build_filename (dir, "styles", "charcoal.", NULL);
  GError *error;

  if (!fb_test_model_path ())
    goto done;
  g_setenv ("FACEBLIT_DATA_DIR", dir, TRUE);
  error = start_with_style ("charcoal");
  g_setenv ("FACEBLIT_DATA_DIR", source_data_dir, TRUE);
  fail_unless (error != NULL, "a broken bundled file went unnoticed");
  fail_unless (strstr (error->message, expected) != NULL, "\"%s\" does not name %s",
      error->message, expected);
  g_error_free (error);
done:
  g_free (expected);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_default_is_bundled_default)
{
  gchar *dir = broken_style_data_dir (FB_DEFAULT_STYLE_NAME);
  gchar *expected = g_build_filename (dir, "styles", FB_DEFAULT_STYLE_NAME ".", NULL);
  GError *error;

  if (!fb_test_model_path ())
    goto done;
  g_setenv ("FACEBLIT_DATA_DIR", dir, TRUE);
  error = start_with_style (NULL);
  g_setenv ("FACEBLIT_DATA_DIR", source_data_dir, TRUE);
  fail_unless (error != NULL && strstr (error->message, expected) != NULL,
      "the default did not read %s", expected);
  g_error_free (error);
done:
  g_free (expected);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_unknown_name_lists_names)
{
  const FbBundledStyle *styles = NULL;
  GError *error;
  guint i, n;

  if (!fb_test_model_path ()) {
    GST_INFO ("skipped: needs dlib's model (libdlib-data)");
    return;
  }
  error = start_with_style ("crayon");
  fail_unless (error != NULL, "an unknown style name started");
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND),
      "%s", error->message);
  fail_unless (strstr (error->message, "'crayon'") != NULL, "%s", error->message);
  styles = fb_bundled_styles (&n);
  for (i = 0; i < n; i++)
    fail_unless (strstr (error->message, styles[i].name) != NULL,
        "\"%s\" does not list %s", error->message, styles[i].name);
  g_error_free (error);
}

GST_END_TEST;

GST_START_TEST (test_blurb_names_styles)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "style");
  const FbBundledStyle *styles;
  guint i, n;

  styles = fb_bundled_styles (&n);
  for (i = 0; i < n; i++)
    fail_unless (strstr (g_param_spec_get_blurb (pspec), styles[i].name) != NULL,
        "the blurb does not name %s", styles[i].name);
  gst_object_unref (element);
}

GST_END_TEST;

static Suite *
bundled_styles_suite (void)
{
  Suite *s = suite_create ("faceblit-bundled-styles");
  TCase *tc = tcase_create ("names");

  tcase_set_timeout (tc, 600);
  tcase_add_test (tc, test_blurb_names_styles);
  tcase_add_test (tc, test_unknown_name_lists_names);
  tcase_add_test (tc, test_name_looked_up_in_data_dir);
  tcase_add_test (tc, test_default_is_bundled_default);
  tcase_add_test (tc, test_every_bundled_name_starts);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  int failed;

  if (!fb_test_program_init (&argc, &argv, "faceblit-styles-XXXXXX", &source_data_dir,
          &tmp_dir))
    return 1;
  failed = gst_check_run_suite (bundled_styles_suite (), "faceblit-bundled-styles",
      __FILE__);
  fb_test_program_finish (source_data_dir, tmp_dir);
  return failed;
}
