/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-tool-util.h"

#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (fb-tool-error-quark, fb_tool_error);

int
fb_tool_fail (const GError * error)
{
  g_printerr ("%s: %s\n", g_get_prgname (), error ? error->message : "failed");
  return 1;
}

int
fb_tool_usage (GOptionContext * context, const char *message)
{
  g_printerr ("%s: %s\nTry '%s --help'.\n", g_get_prgname (), message, g_get_prgname ());
  return 2;
}

gboolean
fb_tool_parse_numbers (const char *text, const char *separators, double *out, int n)
{
  g_auto (GStrv) parts = g_strsplit_set (text, separators, -1);
  int i;

  if (g_strv_length (parts) != (guint) n)
    return FALSE;
  for (i = 0; i < n; i++) {
    char *end;
    out[i] = g_ascii_strtod (parts[i], &end);
    if (end == parts[i] || *end)
      return FALSE;
  }
  return TRUE;
}

static mode_t
current_umask (void)
{
  mode_t mask = umask (022);

  umask (mask);
  return mask;
}

FbToolOutput *
fb_tool_output_begin (const char *path, gboolean force, GError ** error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *template = g_strdup_printf (".%s.partial-XXXXXX", base);
  FbToolOutput *output;
  int fd;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, FB_TOOL_ERROR, 0, "%s is a folder; give a file name", path);
    return NULL;
  }
  if (!force && g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FB_TOOL_ERROR, 0,
        "%s exists already; pass --force to overwrite it, or choose another name", path);
    return NULL;
  }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Cannot write %s: folder %s does not exist",
        path, dir);
    return NULL;
  }
  output = g_new0 (FbToolOutput, 1);
  output->path = g_strdup (path);
  output->temp_path = g_build_filename (dir, template, NULL);
  output->force = force;
  fd = g_mkstemp (output->temp_path);
  if (fd < 0) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Cannot write %s: %s (check that folder %s is "
        "writable)", path, g_strerror (errno), dir);
    g_clear_pointer (&output->temp_path, g_free);
    fb_tool_output_free (output);
    return NULL;
  }
  /* mkstemp makes the file private; give it the permissions any new file gets. */
  fchmod (fd, 0666 & ~current_umask ());
  close (fd);
  return output;
}

gboolean
fb_tool_output_commit (FbToolOutput * output, GError ** error)
{
  int saved_errno;

  if (output->force) {
    if (g_rename (output->temp_path, output->path) == 0)
      goto done;
  } else {
    /* link () refuses to replace an existing file: no race with a file that a user
     * created while we were writing. */
    if (link (output->temp_path, output->path) == 0) {
      g_unlink (output->temp_path);
      goto done;
    }
    if (errno == EEXIST) {
      g_set_error (error, FB_TOOL_ERROR, 0, "%s appeared while it was being written; "
          "left it alone (pass --force to overwrite it)", output->path);
      return FALSE;
    }
    /* File systems without hard links: check, then rename. */
    if (!g_file_test (output->path, G_FILE_TEST_EXISTS)
        && g_rename (output->temp_path, output->path) == 0)
      goto done;
  }
  saved_errno = errno;
  g_set_error (error, FB_TOOL_ERROR, 0, "Cannot create %s: %s", output->path,
      g_strerror (saved_errno));
  return FALSE;

done:
  output->committed = TRUE;
  return TRUE;
}

void
fb_tool_output_free (FbToolOutput * output)
{
  if (!output)
    return;
  if (output->temp_path && !output->committed)
    g_unlink (output->temp_path);
  g_free (output->temp_path);
  g_free (output->path);
  g_free (output);
}
