/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"

#include <glib/gstdio.h>
#include <stdlib.h>

static char *scratch_dir;

static void
remove_scratch_dir (void)
{
  GDir *dir = g_dir_open (scratch_dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *path = g_build_filename (scratch_dir, name, NULL);
    g_unlink (path);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (scratch_dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  scratch_dir = g_dir_make_tmp ("faceblit-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_scratch_dir);
  /* read once, by the first cache call */
  g_setenv ("FACEBLIT_CACHE_DIR", scratch_dir, TRUE);
  return 0;
}

char *
fuzz_write_file (const char *name, const uint8_t * data, size_t size)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (scratch_dir, name, NULL);

  /* no fsync: a scratch file, rewritten for every input */
  g_file_set_contents_full (path, (const char *) data, size, G_FILE_SET_CONTENTS_NONE,
      0600, &error);
  g_assert_no_error (error);
  return path;
}
