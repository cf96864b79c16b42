/* faceblit — preparing a large style when memory runs short (RLIMIT_AS in a child
 * process) fails cleanly: the cache entry is skipped with a warning, or the style is
 * refused with an error; the process never aborts in g_malloc.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "fb-cache.h"
#include "fb-style.h"
#include "fb-test-helpers.h"

/* Large enough that its cache entry (about 90 MB) dwarfs what the rest of the process
 * maps and what one allocation more or less changes. */
#define EXEMPLAR_WIDTH 1280
#define EXEMPLAR_HEIGHT 1280
/* limits tried between "no room for the exemplar" and "no room for the entry" */
#define N_SWEEP 8

/* How a child ended, as its exit status. */
enum {
  CHILD_STYLE_CACHED = 10,      /* a style, stored in the cache */
  CHILD_STYLE_NOT_CACHED,       /* a style, with a warning that it was not cached */
  CHILD_REFUSED,                /* no style, with an error saying memory was short */
  CHILD_CONFUSED,               /* anything else: a failed test */
};

static const FbStyleParams params = { 16.0f, 2.0f };
static FbImage *exemplar;
static FbLandmarks landmarks;

/* The process's address space, in bytes: its size now, or the most it ever had. */
static guint64
address_space (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (field), NULL, 10) * 1024;
}

static void
remove_entry (const char *digest)
{
  g_autofree char *path = fb_cache_path (digest);
  g_unlink (path);
}

/* What the unlimited child reports. */
typedef struct {
  guint64 peak;                 /* VmPeak */
  guint64 entry;                /* bytes of the style's cache entry */
  char digest[128];
} Report;

/* In a child limited to `limit` bytes of address space (none when 0), prepares the
 * style (its entry removed first when the parent knows it: digest); reports through
 * `report` (may be -1). The parent never prepares a style itself, so that the children
 * start without memory that the allocator keeps for reuse. */
static int
run_child (guint64 limit, const char *digest, int report)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FbStyle) style = NULL;
  pid_t pid;
  int status;

  fflush (NULL);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    if (digest)
      remove_entry (digest);
    if (limit) {
      struct rlimit rl = { limit, limit };
      if (setrlimit (RLIMIT_AS, &rl) != 0)
        _exit (CHILD_CONFUSED);
    }
    style = fb_style_new (exemplar, &landmarks, &params, &error);
    if (report >= 0) {
      Report numbers = { address_space ("VmPeak:"), 0, "" };
      GStatBuf st;
      g_autofree char *path = style ? fb_cache_path (style->digest) : NULL;
      if (path && g_stat (path, &st) == 0)
        numbers.entry = st.st_size;
      if (style)
        g_strlcpy (numbers.digest, style->digest, sizeof numbers.digest);
      if (write (report, &numbers, sizeof numbers) != sizeof numbers)
        _exit (CHILD_CONFUSED);
    }
    if (style && !style->cache_warning)
      _exit (CHILD_STYLE_CACHED);
    if (style && strstr (style->cache_warning, "could not be cached")) {
      printf ("# warning: %s\n", style->cache_warning);
      fflush (stdout);
      _exit (CHILD_STYLE_NOT_CACHED);
    }
    if (!style && g_error_matches (error, FB_STYLE_ERROR, FB_STYLE_ERROR_MEMORY)) {
      printf ("# error: %s\n", error->message);
      fflush (stdout);
      _exit (CHILD_REFUSED);
    }
    _exit (CHILD_CONFUSED);
  }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (WIFSIGNALED (status))
    g_error ("the child limited to %" G_GUINT64_FORMAT " MB died of signal %d",
        limit >> 20, WTERMSIG (status));
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* AddressSanitizer maps terabytes of shadow memory: no address-space limit fits it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void
test_memory_pressure (void)
{
  Report unlimited;
  guint64 base = address_space ("VmSize:");
  int fds[2], i;

#ifdef UNDER_ASAN
  g_test_skip ("RLIMIT_AS cannot be used under AddressSanitizer");
  return;
#endif

  /* unlimited: once to learn the digest, once from scratch (that entry removed) */
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (run_child (0, NULL, fds[1]), ==, CHILD_STYLE_CACHED);
  g_assert_cmpint (read (fds[0], &unlimited, sizeof unlimited), ==, sizeof unlimited);
  g_assert_cmpint (run_child (0, unlimited.digest, fds[1]), ==, CHILD_STYLE_CACHED);
  g_assert_cmpint (read (fds[0], &unlimited, sizeof unlimited), ==, sizeof unlimited);
  close (fds[0]);
  close (fds[1]);
  g_test_message ("address space %" G_GUINT64_FORMAT " MB before, peak %"
      G_GUINT64_FORMAT " MB; cache entry %" G_GUINT64_FORMAT " MB", base >> 20,
      unlimited.peak >> 20, unlimited.entry >> 20);
  g_assert_cmpuint (unlimited.entry, >, 50 << 20);

  /* The peak is at the end, when the payload and the file's contents (each as large
   * as the entry) are made from the finished levels: between the levels alone and
   * them plus one copy, the serialisation's allocation is the one that fails. */
  g_assert_cmpint (run_child (unlimited.peak - 3 * unlimited.entry / 2, unlimited.digest,
          -1), ==, CHILD_STYLE_NOT_CACHED);
  /* with room for the payload but not the file's contents: the store fails */
  g_assert_cmpint (run_child (unlimited.peak - unlimited.entry / 2, unlimited.digest, -1),
      ==, CHILD_STYLE_NOT_CACHED);
  /* without room for a copy of the exemplar, the style is refused at once */
  g_assert_cmpint (run_child (base + (guint64) EXEMPLAR_WIDTH * EXEMPLAR_HEIGHT,
          unlimited.digest, -1), ==, CHILD_REFUSED);
  /* In between, the levels' blurs and seed tables are being made: any limit there
   * refuses the style (or, near the top, leaves it uncached), never aborts. */
  for (i = 1; i < N_SWEEP; i++) {
    const guint64 low = base + (guint64) EXEMPLAR_WIDTH * EXEMPLAR_HEIGHT;
    const guint64 high = unlimited.peak - 3 * unlimited.entry / 2;
    const guint64 limit = low + (high - low) * i / N_SWEEP;
    const int outcome = run_child (limit, unlimited.digest, -1);
    g_test_message ("limited to %" G_GUINT64_FORMAT " MB: %s", limit >> 20,
        outcome == CHILD_REFUSED ? "refused" : outcome == CHILD_STYLE_NOT_CACHED ?
        "not cached" : "?");
    g_assert_true (outcome == CHILD_REFUSED || outcome == CHILD_STYLE_NOT_CACHED);
  }
  remove_entry (unlimited.digest);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  exemplar = fb_test_random_image (EXEMPLAR_WIDTH, EXEMPLAR_HEIGHT, 3, 9.0f, 5);
  fb_test_synthetic_landmarks (&landmarks, EXEMPLAR_WIDTH / 2.0f,
      EXEMPLAR_HEIGHT * 0.45f, 5.0f);
  g_test_add_func ("/style-memory/memory-pressure", test_memory_pressure);
  result = g_test_run ();
  fb_image_free (exemplar);
  return result;
}
