/* faceblit — opening the files the element reads (style images, landmarks, the model,
 * cache entries) as regular files only. A FIFO, a device or a socket in their place would
 * make open() or read() block forever (anyone who can write to the cache folder could
 * freeze every pipeline), a folder would read as nonsense: they are refused before any
 * byte is read.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

#define FB_FILE_ERROR (fb_file_error_quark ())
GQuark fb_file_error_quark (void);
typedef enum {
  FB_FILE_ERROR_NOT_FOUND,      /* no such file (or a path through a non-folder) */
  FB_FILE_ERROR_OPEN,           /* exists but cannot be opened (permissions, ...) */
  FB_FILE_ERROR_NOT_REGULAR,    /* a folder, FIFO, device or socket */
  FB_FILE_ERROR_READ,           /* an I/O error while reading */
  FB_FILE_ERROR_TOO_LARGE,      /* more bytes than the caller accepts */
} FbFileError;

/* Opens path for reading (close-on-exec) without waiting for a writer or a device, and
 * returns its descriptor, in blocking mode, when it is a regular file, with its status
 * in *st (may be NULL). Else -1 and error, whose message is the reason alone ("it is a
 * FIFO (named pipe), not a regular file"): the caller names the file and what to do. */
int fb_file_open_regular (const char *path, struct stat *st, GError ** error);

/* The whole contents of the regular file at path (g_free; a zero byte is appended, not
 * counted in *size), at most max_size bytes; errors as fb_file_open_regular's. It reads
 * FB_FILE_READ_CHUNK bytes at a time and gives up between two reads once cancellable
 * (may be NULL) is cancelled, with G_IO_ERROR_CANCELLED: a file on a slow mount then
 * delays a cancel by one chunk's read, not the whole file's. */
#define FB_FILE_READ_CHUNK (1 << 20)
guint8 *fb_file_read_regular (const char *path, gsize max_size, GCancellable * cancellable,
    gsize * size, GError ** error);

G_END_DECLS
