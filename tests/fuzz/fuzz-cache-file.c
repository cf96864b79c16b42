/* libFuzzer target: a cache entry's file (fb_cache_load_checked: header, key, size,
 * checksum), placed in the cache folder under the name of the entry asked for.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-common.h"
#include "fb-cache.h"

/* the key of the seed corpus's entries */
#define KEY "0123456789abcdef0123456789abcdef"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GError) problem = NULL;
  gsize payload_size = 1;
  guint8 *payload;

  g_free (fuzz_write_file (KEY ".fbcache", data, size));
  payload = fb_cache_load_checked (KEY, &payload_size, NULL, NULL, &problem);

  if (payload) {
    /* a hit is the file less its header, every byte readable */
    g_assert_null (problem);
    g_assert_cmpuint (payload_size, <, size);
    if (payload_size > 0) {
      volatile guint8 last = payload[payload_size - 1];
      (void) last;
    }
    g_free (payload);
  } else {
    g_assert_cmpuint (payload_size, ==, 0);
  }
  return 0;
}
