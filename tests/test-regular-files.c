/* faceblit — every loader refuses what is not a regular file (a FIFO, a folder, a
 * device) at once, with a message naming the file, instead of blocking in open() or
 * read() for a writer that never comes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "fb-cache.h"
#include "fb-dlib.h"
#include "fb-file.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"

/* A loader that blocks is killed by SIGALRM after this long: a failure, not a hang. */
#define HANG_SECONDS 20
/* What "at once" means on a loaded machine. */
#define PROMPT_US (2 * G_USEC_PER_SEC)

static char *tmp_dir;

static void
assert_message_has (const char *message, const char *fragment)
{
  if (!strstr (message, fragment))
    g_error ("message “%s” does not contain “%s”", message, fragment);
}

/* A FIFO at tmp_dir/name, which no one ever writes to. g_free. */
static char *
make_fifo (const char *name)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  return path;
}

static void
test_shared_helper (void)
{
  g_autofree char *fifo = make_fifo ("helper.fifo");
  g_autofree char *regular = g_build_filename (tmp_dir, "regular.txt", NULL);
  const char *others[] = { fifo, tmp_dir, "/dev/null" };
  const char *reasons[] = { "FIFO", "folder", "device" };
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize size;
  guint i;
  int fd;

  for (i = 0; i < G_N_ELEMENTS (others); i++) {
    g_assert_cmpint (fb_file_open_regular (others[i], NULL, &error), ==, -1);
    g_assert_error (error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_REGULAR);
    assert_message_has (error->message, reasons[i]);
    g_clear_error (&error);
  }

  g_assert_true (g_file_set_contents (regular, "12345", 5, NULL));
  fd = fb_file_open_regular (regular, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  data = fb_file_read_regular (regular, 5, NULL, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data, size, "12345", 5);
  g_assert_cmpint (data[5], ==, 0);
  g_clear_pointer (&data, g_free);
  g_assert_null (fb_file_read_regular (regular, 4, NULL, &size, &error));
  g_assert_error (error, FB_FILE_ERROR, FB_FILE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* a file of several chunks: whole while its cancellable is not cancelled, nothing
   * once it is */
  {
    gsize big_size = 3 * FB_FILE_READ_CHUNK + 5;
    g_autofree char *big = g_malloc (big_size);
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();

    memset (big, 'x', big_size);
    g_assert_true (g_file_set_contents (regular, big, big_size, NULL));
    data = fb_file_read_regular (regular, big_size, cancellable, &size, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (data, size, big, big_size);
    g_clear_pointer (&data, g_free);
    g_cancellable_cancel (cancellable);
    g_assert_null (fb_file_read_regular (regular, big_size, cancellable, &size, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  g_unlink (regular);
  g_assert_null (fb_file_read_regular (regular, 4, NULL, &size, &error));
  g_assert_error (error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_FOUND);
}

static void
test_image (void)
{
  g_autofree char *path = make_fifo ("style.png");
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_null (fb_image_load (path, &error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_assert_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_READ);
  assert_message_has (error->message, path);
  assert_message_has (error->message, "not a regular file");
  g_clear_error (&error);
  g_assert_null (fb_image_load (tmp_dir, &error));
  assert_message_has (error->message, "folder");
  g_unlink (path);
}

static void
test_landmarks (void)
{
  g_autofree char *path = make_fifo ("style.lm.txt");
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  FbLandmarks lm;

  g_assert_false (fb_landmarks_load (path, &lm, &error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_assert_error (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE);
  assert_message_has (error->message, path);
  assert_message_has (error->message, "not a regular file");
  g_unlink (path);
}

static void
test_model (void)
{
  g_autofree char *path = make_fifo ("model.dat");
  gint64 start = g_get_monotonic_time ();
  char *message = NULL;

  g_assert_null (fb_shape_model_load (path, &message));
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_assert_nonnull (message);
  assert_message_has (message, path);
  assert_message_has (message, "not a regular file");
  free (message);
  message = NULL;
  g_assert_null (fb_shape_model_load (tmp_dir, &message));
  assert_message_has (message, "folder");
  free (message);
  g_unlink (path);
}

/* A FIFO planted in the cache folder under an entry's name is a damaged entry: a miss
 * that says so, which the next store replaces. */
static void
test_cache_entry (void)
{
  const char *key = "test-regular-files-fifo";
  g_autofree char *path = fb_cache_path (key);
  g_autoptr (GError) problem = NULL;
  g_autofree guint8 *loaded = NULL;
  gint64 start;
  gsize size;

  g_assert_cmpint (g_mkdir_with_parents (fb_cache_dir (), 0700), ==, 0);
  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  start = g_get_monotonic_time ();
  g_assert_null (fb_cache_load_checked (key, &size, NULL, NULL, &problem));
  g_assert_cmpint (g_get_monotonic_time () - start, <, PROMPT_US);
  g_assert_nonnull (problem);
  assert_message_has (problem->message, path);
  assert_message_has (problem->message, "FIFO");

  g_assert_true (fb_cache_store (key, (const guint8 *) "entry", 5, NULL));
  loaded = fb_cache_load (key, &size);
  g_assert_cmpmem (loaded, size, "entry", 5);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("fb-test-regular-files-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  alarm (HANG_SECONDS);
  g_test_add_func ("/regular-files/shared-helper", test_shared_helper);
  g_test_add_func ("/regular-files/image", test_image);
  g_test_add_func ("/regular-files/landmarks", test_landmarks);
  g_test_add_func ("/regular-files/model", test_model);
  g_test_add_func ("/regular-files/cache-entry", test_cache_entry);
  result = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return result;
}
