/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-cache.h"
#include "fb-file.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

/* File layout, little-endian: magic, format version, a reserved word that must be 0,
 * payload size, 64-bit hash of the payload, the entry's key (zero-padded to
 * CACHE_KEY_FIELD bytes), then the payload. The hash is that of the payload size and
 * the hashes of its CHUNK_SIZE chunks, so that two cores can each read and hash chunks
 * while they are hot in their cache. The key inside tells an intact entry copied or
 * renamed under another entry's name from that entry. */
#define CACHE_MAGIC "FBCACHE\n"
#define CACHE_VERSION 3
#define CHUNK_SIZE (1 << 20)
#define CACHE_KEY_OFFSET 32
#define CACHE_KEY_FIELD 128
#define CACHE_HEADER_SIZE (CACHE_KEY_OFFSET + CACHE_KEY_FIELD)
#define CACHE_SUFFIX ".fbcache"
#define DEFAULT_LIMIT (G_GUINT64_CONSTANT (1) << 30)

static GMutex limit_lock;
static guint64 cache_limit = DEFAULT_LIMIT;

static const guint64 PRIME1 = G_GUINT64_CONSTANT (0x9E3779B185EBCA87);
static const guint64 PRIME2 = G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F);
static const guint64 PRIME3 = G_GUINT64_CONSTANT (0x165667B19E3779F9);

static inline guint64
rotl64 (guint64 v, int r)
{
  return (v << r) | (v >> (64 - r));
}

static inline guint64
mix_lane (guint64 lane, guint64 word)
{
  return rotl64 (lane + word * PRIME2, 31) * PRIME1;
}

static inline guint64
read_le64 (const guint8 * p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

/* Four independent multiply-rotate lanes, in the manner of xxHash64: it detects damaged
 * files at memory speed, which SHA-256 on tens of megabytes would not. */
guint64
fb_cache_hash (const guint8 * data, gsize size)
{
  guint64 lanes[4] = { PRIME1 + PRIME2, PRIME2, 0, -PRIME1 };
  guint64 h;
  gsize i = 0;
  int k;

  for (; i + 32 <= size; i += 32)
    for (k = 0; k < 4; k++)
      lanes[k] = mix_lane (lanes[k], read_le64 (data + i + 8 * k));
  h = rotl64 (lanes[0], 1) + rotl64 (lanes[1], 7) + rotl64 (lanes[2], 12)
      + rotl64 (lanes[3], 18);
  for (k = 0; k < 4; k++)
    h = (h ^ mix_lane (0, lanes[k])) * PRIME1 + PRIME3;
  h += size;
  for (; i < size; i++)
    h = rotl64 (h ^ (data[i] * PRIME3), 11) * PRIME1;
  h ^= h >> 33;
  h *= PRIME2;
  h ^= h >> 29;
  h *= PRIME3;
  h ^= h >> 32;
  return h;
}

static gsize
n_chunks (gsize size)
{
  return (size + CHUNK_SIZE - 1) / CHUNK_SIZE;
}

static guint64
combine_chunk_hashes (guint64 * chunk_hashes, gsize n, gsize size)
{
  gsize i;

  /* chunk_hashes has room for the size in front */
  memmove (chunk_hashes + 1, chunk_hashes, n * sizeof (guint64));
  chunk_hashes[0] = size;
  for (i = 0; i <= n; i++)
    chunk_hashes[i] = GUINT64_TO_LE (chunk_hashes[i]);
  return fb_cache_hash ((const guint8 *) chunk_hashes, (n + 1) * sizeof (guint64));
}

static gchar *cache_dir;

const char *
fb_cache_dir (void)
{
  if (g_once_init_enter (&cache_dir)) {
    const char *env = g_getenv ("FACEBLIT_CACHE_DIR");
    gchar *dir = env && *env ? g_strdup (env)
        : g_build_filename (g_get_user_cache_dir (), "faceblit", NULL);
    g_once_init_leave (&cache_dir, dir);
  }
  return cache_dir;
}

static gboolean
key_is_valid (const char *key)
{
  const char *c;

  if (!key || !*key || strlen (key) >= CACHE_KEY_FIELD)
    return FALSE;
  for (c = key; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

gchar *
fb_cache_path (const char *key)
{
  gchar *name, *path;

  g_return_val_if_fail (key_is_valid (key), NULL);
  name = g_strconcat (key, CACHE_SUFFIX, NULL);
  path = g_build_filename (fb_cache_dir (), name, NULL);
  g_free (name);
  return path;
}

typedef struct {
  int fd;
  guint8 *payload;
  gsize size;
  guint64 *chunk_hashes;
  gint next_chunk;              /* atomic: the next chunk a reader takes */
  gint failed;                  /* atomic: a read came short or check refused a chunk */
  FbCacheCheckFunc check;
  gpointer check_data;
} ChunkedRead;

static gpointer
read_chunks (gpointer data)
{
  ChunkedRead *read = data;
  gsize chunk;

  while ((chunk = (gsize) g_atomic_int_add (&read->next_chunk, 1)) < n_chunks (read->size)) {
    const gsize offset = chunk * CHUNK_SIZE, length = MIN (CHUNK_SIZE, read->size - offset);
    gsize done = 0;
    while (done < length) {
      ssize_t got = pread (read->fd, read->payload + offset + done, length - done,
          CACHE_HEADER_SIZE + offset + done);
      if (got <= 0 && !(got < 0 && errno == EINTR)) {
        g_atomic_int_set (&read->failed, TRUE);
        return NULL;
      }
      done += MAX (got, 0);
    }
    read->chunk_hashes[chunk] = fb_cache_hash (read->payload + offset, length);
    if (read->check && !read->check (read->payload + offset, offset, length,
            read->check_data)) {
      g_atomic_int_set (&read->failed, TRUE);
      return NULL;
    }
  }
  return NULL;
}

guint8 *
fb_cache_load (const char *key, gsize * size)
{
  return fb_cache_load_checked (key, size, NULL, NULL, NULL);
}

/* Sets *problem to why the entry at path cannot be used. */
static void
set_problem (GError ** problem, const char *path, const char *reason)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (problem, G_FILE_ERROR, G_FILE_ERROR_FAILED,
      "The cache entry “%s” is damaged (%s)", name, reason);
}

guint8 *
fb_cache_load_checked (const char *key, gsize * size, FbCacheCheckFunc check,
    gpointer user_data, GError ** problem)
{
  guint8 header[CACHE_HEADER_SIZE];
  g_autofree gchar *path = NULL;
  g_autoptr (GError) open_error = NULL;
  ChunkedRead read = { -1, NULL, 0, NULL, 0, FALSE, check, user_data };
  GThread *helper = NULL;
  struct stat st;
  guint64 payload_size, hash;
  guint32 version, reserved;
  char expected_key[CACHE_KEY_FIELD] = "";
  const char *reason = NULL;

  g_return_val_if_fail (key_is_valid (key), NULL);
  g_return_val_if_fail (problem == NULL || *problem == NULL, NULL);
  *size = 0;
  path = fb_cache_path (key);
  read.fd = fb_file_open_regular (path, &st, &open_error);
  if (read.fd < 0) {
    if (!g_error_matches (open_error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_FOUND))
      set_problem (problem, path, open_error->message);
    return NULL;
  }
  if (pread (read.fd, header, CACHE_HEADER_SIZE, 0) != CACHE_HEADER_SIZE) {
    reason = "it is shorter than a cache header";
    goto miss;
  }
  memcpy (&version, header + 8, 4);
  memcpy (&reserved, header + 12, 4);
  payload_size = read_le64 (header + 16);
  hash = read_le64 (header + 24);
  if (memcmp (header, CACHE_MAGIC, 8) != 0 || reserved != 0) {
    reason = "it is not a faceblit cache file";
    goto miss;
  }
  /* an entry of another faceblit version is replaced without fuss */
  if (GUINT32_FROM_LE (version) != CACHE_VERSION)
    goto miss;
  memcpy (expected_key, key, strlen (key));
  if (memcmp (header + CACHE_KEY_OFFSET, expected_key, CACHE_KEY_FIELD) != 0) {
    reason = "it holds another entry, copied or renamed under this one's name";
    goto miss;
  }
  /* the file must hold exactly the payload the header announces */
  if ((guint64) st.st_size != CACHE_HEADER_SIZE + payload_size
      || payload_size > G_MAXSIZE / 2) {
    reason = "its size does not match its header";
    goto miss;
  }
  read.size = payload_size;
  read.payload = g_try_malloc (MAX (read.size, 1));
  read.chunk_hashes = g_try_new (guint64, n_chunks (read.size) + 1);
  /* short of memory: a miss, not damage */
  if (!read.payload || !read.chunk_hashes)
    goto miss;
#ifdef MADV_HUGEPAGE
  /* Faulting in tens of megabytes 4 KiB at a time costs as much as copying them: ask
   * for huge pages (advice only, on the part of the block they can cover). */
  if (read.size >= 2 * CHUNK_SIZE) {
    const gsize page = (gsize) sysconf (_SC_PAGESIZE);
    guintptr start = ((guintptr) read.payload + page - 1) & ~(guintptr) (page - 1);
    guintptr end = ((guintptr) read.payload + read.size) & ~(guintptr) (page - 1);
    if (end > start)
      madvise ((void *) start, end - start, MADV_HUGEPAGE);
  }
#endif
  /* Reading, not mapping, the file: the payload must not change once checked, whatever
   * another process does to the file afterwards. */
  if (n_chunks (read.size) > 1)
    helper = g_thread_new ("fb-cache-read", read_chunks, &read);
  read_chunks (&read);
  if (helper)
    g_thread_join (helper);
  if (read.failed
      || combine_chunk_hashes (read.chunk_hashes, n_chunks (read.size), read.size) != hash) {
    reason = "it fails its checksum, or holds values out of range";
    goto miss;
  }
  close (read.fd);
  g_free (read.chunk_hashes);
  *size = read.size;
  /* the modification time orders entries for eviction */
  g_utime (path, NULL);
  return read.payload;

miss:
  if (reason)
    set_problem (problem, path, reason);
  g_free (read.payload);
  g_free (read.chunk_hashes);
  close (read.fd);
  return NULL;
}

void
fb_cache_set_limit (guint64 max_bytes)
{
  g_mutex_lock (&limit_lock);
  cache_limit = max_bytes;
  g_mutex_unlock (&limit_lock);
}

typedef struct {
  gchar *path;
  gint64 mtime;
  guint64 size;
} Entry;

static gint
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const Entry *ea = a, *eb = b;
  return (ea->mtime < eb->mtime) - (ea->mtime > eb->mtime);
}

/* Deletes the least recently used entries (never `keep`) until the rest fit the limit. */
static void
evict (const char *dir, const char *keep)
{
  guint64 limit, total = 0;
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  GDir *listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint i;

  g_mutex_lock (&limit_lock);
  limit = cache_limit;
  g_mutex_unlock (&limit_lock);
  if (!listing)
    goto out;
  while ((name = g_dir_read_name (listing))) {
    Entry e;
    GStatBuf st;
    if (!g_str_has_suffix (name, CACHE_SUFFIX))
      continue;
    e.path = g_build_filename (dir, name, NULL);
    if (g_stat (e.path, &st) != 0 || !S_ISREG (st.st_mode)) {
      g_free (e.path);
      continue;
    }
    e.mtime = st.st_mtime;
    e.size = st.st_size;
    g_array_append_val (entries, e);
  }
  g_dir_close (listing);
  g_array_sort (entries, compare_newest_first);
  for (i = 0; i < entries->len; i++) {
    Entry *e = &g_array_index (entries, Entry, i);
    if (strcmp (e->path, keep) == 0 || total + e->size <= limit)
      total += e->size;
    else
      g_unlink (e->path);
  }
out:
  for (i = 0; i < entries->len; i++)
    g_free (g_array_index (entries, Entry, i).path);
  g_array_free (entries, TRUE);
}

gboolean
fb_cache_store (const char *key, const guint8 * data, gsize size, GError ** error)
{
  const char *dir = fb_cache_dir ();
  guint8 *contents;
  guint32 version = GUINT32_TO_LE (CACHE_VERSION);
  guint64 size_le = GUINT64_TO_LE ((guint64) size);
  guint64 *chunk_hashes, hash_le;
  gchar *path;
  gboolean ok;
  gsize chunk;

  g_return_val_if_fail (key_is_valid (key), FALSE);
  chunk_hashes = g_try_new (guint64, n_chunks (size) + 1);
  contents = g_try_malloc (CACHE_HEADER_SIZE + size);
  if (!chunk_hashes || !contents) {
    g_free (chunk_hashes);
    g_free (contents);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
        "Not enough memory to write a cache entry of %" G_GSIZE_FORMAT " bytes", size);
    return FALSE;
  }
  for (chunk = 0; chunk < n_chunks (size); chunk++)
    chunk_hashes[chunk] = fb_cache_hash (data + chunk * CHUNK_SIZE,
        MIN (CHUNK_SIZE, size - chunk * CHUNK_SIZE));
  hash_le = GUINT64_TO_LE (combine_chunk_hashes (chunk_hashes, n_chunks (size), size));
  g_free (chunk_hashes);

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int saved_errno = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
        "Cannot create the cache folder %s: %s; set FACEBLIT_CACHE_DIR to a writable "
        "folder", dir, g_strerror (saved_errno));
    g_free (contents);
    return FALSE;
  }
  memset (contents, 0, CACHE_HEADER_SIZE);
  memcpy (contents, CACHE_MAGIC, 8);
  memcpy (contents + 8, &version, 4);
  memcpy (contents + 16, &size_le, 8);
  memcpy (contents + 24, &hash_le, 8);
  memcpy (contents + CACHE_KEY_OFFSET, key, strlen (key));
  memcpy (contents + CACHE_HEADER_SIZE, data, size);
  path = fb_cache_path (key);
  ok = g_file_set_contents (path, (const gchar *) contents, CACHE_HEADER_SIZE + size,
      error);
  if (ok)
    evict (dir, path);
  else
    g_prefix_error (error, "Cannot write the cache file %s (set FACEBLIT_CACHE_DIR to a "
        "writable folder): ", path);
  g_free (path);
  g_free (contents);
  return ok;
}
