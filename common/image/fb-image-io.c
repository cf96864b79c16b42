/* faceblit — PNG and JPEG files to and from FbImage.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-image-io.h"
#include "fb-file.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

G_DEFINE_QUARK (fb-image-io-error-quark, fb_image_io_error);

/* Larger images (or wider or taller than FB_IMAGE_MAX_SIDE) would overflow the int
 * strides of FbImage or exhaust memory; no style exemplar or frame comes close. */
#define MAX_PIXELS (1 << 28)
/* Even uncompressed, an image within MAX_PIXELS fits in this many bytes: a larger file
 * is not worth reading into memory. */
#define MAX_FILE_SIZE ((gsize) 1 << 30)

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const guint8 jpeg_signature[3] = { 0xff, 0xd8, 0xff };

static gboolean
size_supported (guint32 width, guint32 height)
{
  return width > 0 && height > 0 && width <= FB_IMAGE_MAX_SIDE
      && height <= FB_IMAGE_MAX_SIDE
      && (guint64) width * height <= MAX_PIXELS;
}

/* ------------------------------------------------------------------------- PNG */

#define PNG_MESSAGE_SIZE 256

/* Everything a longjmp must not lose lives here, outside the function that calls
 * setjmp, so no local needs to be volatile. */
typedef struct {
  const guint8 *data;
  gsize size, read;             /* bytes of the file, and how many libpng has had */
  FbImage *image;
  png_bytep *rows;
  gboolean unsupported;         /* a valid file this loader cannot use */
  char message[PNG_MESSAGE_SIZE];
  GCancellable *cancellable;    /* checked as libpng reads, about every 8 KiB */
} PngJob;

static void
png_job_error (png_structp png, png_const_charp message)
{
  /* The error pointer is the job's message buffer, PNG_MESSAGE_SIZE bytes. */
  g_strlcpy (png_get_error_ptr (png), message, PNG_MESSAGE_SIZE);
  png_longjmp (png, 1);
}

static void
png_job_warning (png_structp png, png_const_charp message)
{
  /* Ancillary problems (bad sRGB profile, CRC of an optional chunk) don't hurt pixels. */
}

static void
png_job_read (png_structp png, png_bytep data, size_t length)
{
  PngJob *job = png_get_io_ptr (png);

  if (g_cancellable_is_cancelled (job->cancellable))
    png_error (png, "cancelled");
  if (length > job->size - job->read)
    png_error (png, "the file ends too early");
  memcpy (data, job->data + job->read, length);
  job->read += length;
}

static gboolean
png_decode (PngJob * job, png_structp png, png_infop info)
{
  png_uint_32 width, height;
  int y;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_read_fn (png, job, png_job_read);
  png_read_info (png, info);
  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);

  png_set_expand (png);
  png_set_strip_16 (png);
  png_set_strip_alpha (png);
  png_set_gray_to_rgb (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);

  if (!size_supported (width, height)) {
    g_snprintf (job->message, sizeof (job->message),
        "its size %u×%u is over the limit of %d pixels a side and %d megapixels; "
        "scale it down", width, height, FB_IMAGE_MAX_SIDE, MAX_PIXELS >> 20);
    job->unsupported = TRUE;
    return FALSE;
  }
  if (png_get_rowbytes (png, info) != (size_t) width * 3) {
    g_strlcpy (job->message, "libpng did not convert it to 8-bit RGB",
        sizeof (job->message));
    job->unsupported = TRUE;
    return FALSE;
  }
  job->image = fb_image_try_new (width, height, 3);
  job->rows = g_try_new (png_bytep, height);
  if (!job->image || !job->rows) {
    g_snprintf (job->message, sizeof (job->message), "not enough memory for its "
        "%u×%u pixels", width, height);
    job->unsupported = TRUE;
    return FALSE;
  }
  for (y = 0; y < (int) height; y++)
    job->rows[y] = fb_image_row (job->image, y);
  png_read_image (png, job->rows);
  png_read_end (png, NULL);
  return TRUE;
}

static FbImage *
load_png (const char *path, const guint8 * data, gsize size, GCancellable * cancellable,
    GError ** error)
{
  PngJob job = { data, size, 0, NULL, NULL, FALSE, "", cancellable };
  png_structp png;
  png_infop info;
  gboolean ok;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, job.message, png_job_error,
      png_job_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (!info) {
    g_strlcpy (job.message, "out of memory", sizeof (job.message));
    ok = FALSE;
  } else {
    ok = png_decode (&job, png, info);
  }
  png_destroy_read_struct (png ? &png : NULL, info ? &info : NULL, NULL);
  g_free (job.rows);
  if (!ok && g_cancellable_set_error_if_cancelled (cancellable, error)) {
    fb_image_free (job.image);
    return NULL;
  }
  if (!ok) {
    char *name = g_filename_display_name (path);
    if (job.unsupported)
      g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
          "PNG image “%s” cannot be used: %s", name, job.message);
    else
      g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
          "PNG image “%s” is damaged or truncated (%s); re-export or replace it",
          name, job.message);
    g_free (name);
    fb_image_free (job.image);
    return NULL;
  }
  return job.image;
}

/* ------------------------------------------------------------------------ JPEG */

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} JpegErrorManager;

typedef struct {
  const guint8 *data;
  gsize size;
  FbImage *image;
  gboolean unsupported;         /* a valid file this loader cannot use */
  GCancellable *cancellable;    /* checked every 16 rows */
  struct jpeg_decompress_struct decoder;
  JpegErrorManager errors;
} JpegJob;

static void
jpeg_job_error_exit (j_common_ptr common)
{
  JpegErrorManager *errors = (JpegErrorManager *) common->err;

  common->err->format_message (common, errors->message);
  longjmp (errors->jump, 1);
}

static void
jpeg_job_emit_message (j_common_ptr common, int level)
{
  /* libjpeg only warns about a file, or a scan, that ends early and pads the rest with
   * grey; a half-grey exemplar is worse than a clear error, and a few hundred bytes
   * claiming 20000x3000 pixels would take seconds to pad. Other warnings (extraneous
   * bytes some cameras write) leave the pixels intact. */
  if (level < 0 && (common->err->msg_code == JWRN_JPEG_EOF
          || common->err->msg_code == JWRN_HIT_MARKER))
    jpeg_job_error_exit (common);
  if (level < 0)
    common->err->num_warnings++;
}

static void
jpeg_job_output_message (j_common_ptr common)
{
}

static gboolean
jpeg_decode (JpegJob * job)
{
  struct jpeg_decompress_struct *d = &job->decoder;
  int y;

  if (setjmp (job->errors.jump))
    return FALSE;

  jpeg_create_decompress (d);
  jpeg_mem_src (d, job->data, job->size);
  jpeg_read_header (d, TRUE);
  /* Grey, YCbCr and RGB come out as RGB; CMYK cannot be converted by libjpeg. */
  if (d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK) {
    g_strlcpy (job->errors.message, "CMYK is not supported; convert it to RGB",
        sizeof (job->errors.message));
    job->unsupported = TRUE;
    return FALSE;
  }
  d->out_color_space = JCS_RGB;
  if (!size_supported (d->image_width, d->image_height)) {
    g_snprintf (job->errors.message, sizeof (job->errors.message),
        "its size %u×%u is over the limit of %d pixels a side and %d megapixels; "
        "scale it down", d->image_width, d->image_height, FB_IMAGE_MAX_SIDE,
        MAX_PIXELS >> 20);
    job->unsupported = TRUE;
    return FALSE;
  }
  jpeg_start_decompress (d);
  job->image = fb_image_try_new (d->output_width, d->output_height, 3);
  if (!job->image) {
    g_snprintf (job->errors.message, sizeof (job->errors.message), "not enough memory "
        "for its %u×%u pixels", d->output_width, d->output_height);
    job->unsupported = TRUE;
    return FALSE;
  }
  while ((y = d->output_scanline) < (int) d->output_height) {
    JSAMPROW row = fb_image_row (job->image, y);
    if (y % 16 == 0 && g_cancellable_is_cancelled (job->cancellable))
      return FALSE;
    jpeg_read_scanlines (d, &row, 1);
  }
  jpeg_finish_decompress (d);
  return TRUE;
}

static FbImage *
load_jpeg (const char *path, const guint8 * data, gsize size, GCancellable * cancellable,
    GError ** error)
{
  JpegJob *job = g_new0 (JpegJob, 1);
  FbImage *image;

  job->data = data;
  job->size = size;
  job->cancellable = cancellable;
  job->decoder.err = jpeg_std_error (&job->errors.base);
  job->errors.base.error_exit = jpeg_job_error_exit;
  job->errors.base.emit_message = jpeg_job_emit_message;
  job->errors.base.output_message = jpeg_job_output_message;

  if (!jpeg_decode (job)) {
    char *name = g_filename_display_name (path);
    if (g_cancellable_is_cancelled (cancellable))
      g_cancellable_set_error_if_cancelled (cancellable, error);
    else if (job->unsupported)
      g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
          "JPEG image “%s” cannot be used: %s", name, job->errors.message);
    else
      g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
          "JPEG image “%s” is damaged or truncated (%s); re-export or replace it",
          name, job->errors.message);
    g_free (name);
    fb_image_free (job->image);
    job->image = NULL;
  }
  jpeg_destroy_decompress (&job->decoder);
  image = job->image;
  g_free (job);
  return image;
}

/* ------------------------------------------------------------------------ load */

GBytes *
fb_image_file_read (const char *path, GCancellable * cancellable, GError ** error)
{
  g_autoptr (GError) file_error = NULL;
  g_autofree char *name = NULL;
  gsize size;
  guint8 *data;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = fb_file_read_regular (path, MAX_FILE_SIZE, cancellable, &size, &file_error);
  if (data)
    return g_bytes_new_take (data, size);
  if (g_error_matches (file_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_propagate_error (error, g_steal_pointer (&file_error));
    return NULL;
  }
  name = g_filename_display_name (path);
  if (g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_FOUND))
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_NOT_FOUND,
        "Cannot open image “%s”: %s; check the path", name, file_error->message);
  else if (g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_OPEN))
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_READ,
        "Cannot open image “%s”: %s; check its permissions", name, file_error->message);
  else if (g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_TOO_LARGE))
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
        "“%s” is over %" G_GSIZE_FORMAT " MiB, more than any image of at most %d "
        "megapixels needs; scale it down", name, MAX_FILE_SIZE >> 20, MAX_PIXELS >> 20);
  else if (g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_REGULAR))
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_READ,
        "Cannot read image “%s”: %s; give a PNG or JPEG file", name,
        file_error->message);
  else
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_READ,
        "Cannot read image “%s”: %s", name, file_error->message);
  return NULL;
}

FbImage *
fb_image_decode (GBytes * contents, const char *path, GError ** error)
{
  return fb_image_decode_cancellable (contents, path, NULL, error);
}

FbImage *
fb_image_decode_cancellable (GBytes * contents, const char *path,
    GCancellable * cancellable, GError ** error)
{
  const guint8 *data;
  gsize size;
  char *name;

  g_return_val_if_fail (contents != NULL && path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (contents, &size);
  if (size >= sizeof (png_signature)
      && memcmp (data, png_signature, sizeof (png_signature)) == 0)
    return load_png (path, data, size, cancellable, error);
  if (size >= sizeof (jpeg_signature)
      && memcmp (data, jpeg_signature, sizeof (jpeg_signature)) == 0)
    return load_jpeg (path, data, size, cancellable, error);
  name = g_filename_display_name (path);
  g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_FORMAT,
      "“%s” is not a PNG or JPEG image%s; give a .png or .jpg file", name,
      size == 0 ? " (the file is empty)" : "");
  g_free (name);
  return NULL;
}

FbImage *
fb_image_load (const char *path, GError ** error)
{
  GBytes *contents = fb_image_file_read (path, NULL, error);
  FbImage *image;

  if (!contents)
    return NULL;
  image = fb_image_decode (contents, path, error);
  g_bytes_unref (contents);
  return image;
}

/* ------------------------------------------------------------------------ save */

typedef struct {
  const FbImage *image;
  FILE *file;
  png_bytep *rows;
  char message[PNG_MESSAGE_SIZE];
} PngWriteJob;

static gboolean
png_encode (PngWriteJob * job, png_structp png, png_infop info)
{
  static const int colour_types[] = { 0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB,
    PNG_COLOR_TYPE_RGB_ALPHA
  };
  const FbImage *image = job->image;
  int y;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_init_io (png, job->file);
  /* Level 3 writes faster than the default 6 and costs a few percent in size. */
  png_set_compression_level (png, 3);
  png_set_IHDR (png, info, image->width, image->height, 8,
      colour_types[image->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
      PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  job->rows = g_new (png_bytep, image->height);
  for (y = 0; y < image->height; y++)
    job->rows[y] = fb_image_row (image, y);
  png_write_image (png, job->rows);
  png_write_end (png, NULL);
  return TRUE;
}

static gboolean
write_png_file (const FbImage * image, FILE * file, char *message, size_t message_size)
{
  PngWriteJob job = { image, file, NULL, "" };
  png_structp png;
  png_infop info;
  gboolean ok;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, job.message, png_job_error,
      png_job_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (!info) {
    g_strlcpy (job.message, "out of memory", sizeof (job.message));
    ok = FALSE;
  } else {
    ok = png_encode (&job, png, info);
  }
  png_destroy_write_struct (png ? &png : NULL, info ? &info : NULL);
  g_free (job.rows);
  if (!ok)
    g_strlcpy (message, job.message, message_size);
  return ok;
}

gboolean
fb_image_save_png (const FbImage * image, const char *path, GError ** error)
{
  char *dir, *base, *tmp_path, *name;
  char message[PNG_MESSAGE_SIZE] = "";
  int fd, saved_errno = 0;
  FILE *file = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (image != NULL && path != NULL, FALSE);
  g_return_val_if_fail (image->channels == 1 || image->channels == 3
      || image->channels == 4, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  g_free (dir);
  g_free (base);

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) {
    saved_errno = errno;
  } else if (!(file = fdopen (fd, "wb"))) {
    saved_errno = errno;
    close (fd);
  } else if (!write_png_file (image, file, message, sizeof (message))) {
    /* libpng's stdio writer reports only "Write Error"; errno says why. */
    saved_errno = errno;
  } else if (fflush (file) != 0 || fsync (fileno (file)) != 0) {
    saved_errno = errno;
  } else {
    ok = TRUE;
  }
  if (file && fclose (file) != 0 && ok) {
    saved_errno = errno;
    ok = FALSE;
  }
  if (ok && g_rename (tmp_path, path) != 0) {
    saved_errno = errno;
    ok = FALSE;
  }
  if (!ok) {
    if (fd >= 0)
      g_unlink (tmp_path);
    name = g_filename_display_name (path);
    g_set_error (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_WRITE,
        "Cannot write PNG image “%s”: %s%s%s; check that its folder exists, is writable "
        "and has free space", name, message, message[0] ? ": " : "",
        saved_errno ? g_strerror (saved_errno) : "unknown error");
    g_free (name);
  }
  g_free (tmp_path);
  return ok;
}
