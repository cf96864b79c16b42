/* faceblit — an on-disk cache of derived data (seed tables), keyed by content.
 * Files live in $XDG_CACHE_HOME/faceblit (or $FACEBLIT_CACHE_DIR when set), are written
 * atomically, carry their key and a checksum of their payload, and a damaged file (or
 * another entry's file under this key's name, or a FIFO, never opened in blocking mode)
 * reads as a miss that says what was wrong.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The directory in use (created on first store), read from the environment once.
 * Owned by the library. */
const char *fb_cache_dir (void);

/* The cache keeps at most this many bytes of entries (default 1 GiB): each store drops
 * the least recently used others beyond it. */
void fb_cache_set_limit (guint64 max_bytes);

/* The file that holds the entry named key (it may not exist). g_free. */
gchar *fb_cache_path (const char *key);

/* key: a hex digest naming the entry (at most 127 characters). Returns the payload
 * (g_free) or NULL on a miss or damaged file. A hit marks the entry as recently used. */
guint8 *fb_cache_load (const char *key, gsize * size);
/* Called on each chunk of a payload (offset, length within it) right after it is read,
 * from two threads at once and in any order; FALSE makes the load a miss. It lets the
 * caller check the contents while they are still in the CPU's cache. */
typedef gboolean (*FbCacheCheckFunc) (const guint8 * chunk, gsize offset, gsize length,
    gpointer user_data);
/* fb_cache_load, with every chunk of the payload passed to check (may be NULL). When
 * an entry exists but cannot be used (damaged, refused by check, another entry's file,
 * not a regular file), *problem (may be NULL) says so, naming the file: the caller
 * rebuilds it and tells the user. A plain miss (no entry, one written by another
 * version of faceblit, too little memory to read it) leaves *problem unset. */
guint8 *fb_cache_load_checked (const char *key, gsize * size, FbCacheCheckFunc check,
    gpointer user_data, GError ** problem);
/* The non-cryptographic 64-bit hash that checks entries, at memory speed: for callers
 * that name entries after large inputs. */
guint64 fb_cache_hash (const guint8 * data, gsize size);
/* Best effort: failure to write is logged by returning FALSE with error set, never fatal. */
gboolean fb_cache_store (const char *key, const guint8 * data, gsize size, GError ** error);

G_END_DECLS
