/* faceblit — PNG and JPEG files to and from FbImage.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include "fb-image.h"

G_BEGIN_DECLS

#define FB_IMAGE_IO_ERROR (fb_image_io_error_quark ())
GQuark fb_image_io_error_quark (void);
typedef enum {
  FB_IMAGE_IO_ERROR_NOT_FOUND,  /* no such file */
  FB_IMAGE_IO_ERROR_READ,       /* cannot open or read (permissions, I/O) */
  FB_IMAGE_IO_ERROR_FORMAT,     /* not a PNG or JPEG, or a damaged one */
  FB_IMAGE_IO_ERROR_WRITE,
} FbImageIoError;

/* Images wider or taller than this are refused. */
#define FB_IMAGE_MAX_SIDE 32768

/* Loads a PNG or JPEG (detected by content, not name) as 3-channel RGB; alpha is
 * dropped, grey is expanded, 16-bit is reduced. Messages name the file. */
FbImage *fb_image_load (const char *path, GError ** error);
/* fb_image_load in two steps, for callers that look at the file's bytes before
 * decoding them (to recognise a file seen before): its bytes (errors as
 * fb_image_load's, or G_IO_ERROR_CANCELLED once cancellable, which may be NULL, is
 * cancelled: fb_file_read_regular), then the image they hold, path naming the file in
 * messages. */
GBytes *fb_image_file_read (const char *path, GCancellable * cancellable, GError ** error);
FbImage *fb_image_decode (GBytes * contents, const char *path, GError ** error);
/* fb_image_decode that gives up as it decodes once cancellable is cancelled: NULL then,
 * with G_IO_ERROR_CANCELLED. */
FbImage *fb_image_decode_cancellable (GBytes * contents, const char *path,
    GCancellable * cancellable, GError ** error);
/* Saves 1-, 3- or 4-channel images as PNG, atomically (temporary file + rename). */
gboolean fb_image_save_png (const FbImage * image, const char *path, GError ** error);

G_END_DECLS
