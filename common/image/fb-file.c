/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

G_DEFINE_QUARK (fb-file-error-quark, fb_file_error);

static const char *
kind_of_file (mode_t mode)
{
  if (S_ISDIR (mode))
    return "it is a folder, not a regular file";
  if (S_ISFIFO (mode))
    return "it is a FIFO (named pipe), not a regular file";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "it is a device, not a regular file";
  if (S_ISSOCK (mode))
    return "it is a socket, not a regular file";
  return "it is not a regular file";
}

int
fb_file_open_regular (const char *path, struct stat *st, GError ** error)
{
  struct stat local;
  int fd, flags, saved_errno;

  g_return_val_if_fail (path != NULL, -1);
  if (!st)
    st = &local;
  /* O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0);
  if (fd < 0) {
    saved_errno = errno;
    g_set_error_literal (error, FB_FILE_ERROR, saved_errno == ENOENT
        || saved_errno == ENOTDIR ? FB_FILE_ERROR_NOT_FOUND : FB_FILE_ERROR_OPEN,
        g_strerror (saved_errno));
    return -1;
  }
  if (fstat (fd, st) != 0) {
    saved_errno = errno;
    close (fd);
    g_set_error_literal (error, FB_FILE_ERROR, FB_FILE_ERROR_OPEN,
        g_strerror (saved_errno));
    return -1;
  }
  if (!S_ISREG (st->st_mode)) {
    close (fd);
    g_set_error_literal (error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_REGULAR,
        kind_of_file (st->st_mode));
    return -1;
  }
  /* a regular file's reads never wait anyway; blocking mode is what readers expect */
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

guint8 *
fb_file_read_regular (const char *path, gsize max_size, GCancellable * cancellable,
    gsize * size, GError ** error)
{
  struct stat st;
  guint8 *data;
  gsize capacity, length = 0;
  int fd, saved_errno = 0;
  gboolean cancelled = FALSE;

  g_return_val_if_fail (size != NULL && max_size < G_MAXSIZE - 1, NULL);
  *size = 0;
  fd = fb_file_open_regular (path, &st, error);
  if (fd < 0)
    return NULL;
  /* The size is a hint (one byte more sees the end at once): the file may change while
   * it is read. Reading one byte past max_size tells a file that is too large. */
  capacity = st.st_size > 0 ? (gsize) MIN ((guint64) st.st_size, max_size) + 2 : 1 << 12;
  data = g_try_malloc (capacity);
  while (data && length <= max_size) {
    ssize_t got;
    if (length + 1 >= capacity) {
      guint8 *larger;
      capacity = MIN (2 * capacity, max_size + 2);
      larger = g_try_realloc (data, capacity);
      if (!larger) {
        g_free (data);
        data = NULL;
        break;
      }
      data = larger;
    }
    if ((cancelled = g_cancellable_is_cancelled (cancellable)))
      break;
    got = read (fd, data + length, MIN (capacity - 1 - length, FB_FILE_READ_CHUNK));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      saved_errno = got < 0 ? errno : 0;
      break;
    }
    length += got;
  }
  close (fd);
  if (cancelled) {
    g_cancellable_set_error_if_cancelled (cancellable, error);
  } else if (!data) {
    g_set_error (error, FB_FILE_ERROR, FB_FILE_ERROR_READ,
        "not enough memory to read its %" G_GUINT64_FORMAT " bytes", (guint64) st.st_size);
  } else if (saved_errno) {
    g_set_error_literal (error, FB_FILE_ERROR, FB_FILE_ERROR_READ,
        g_strerror (saved_errno));
  } else if (length > max_size) {
    g_set_error (error, FB_FILE_ERROR, FB_FILE_ERROR_TOO_LARGE,
        "it is over %" G_GSIZE_FORMAT " bytes", max_size);
  } else {
    data[length] = 0;
    *size = length;
    return data;
  }
  g_free (data);
  return NULL;
}
