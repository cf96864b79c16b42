/* faceblit — what the libFuzzer targets share: their LLVMFuzzerInitialize, which
 * makes a scratch folder (removed at exit) for the inputs of loaders that read files
 * and for the cache (FACEBLIT_CACHE_DIR), and makes GLib criticals and warnings
 * fatal, so that a failed precondition counts as a crash.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer calls it once, before any input. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
/* Writes data to the file `name` in the scratch folder, replacing it; returns its
 * path (g_free). Aborts when the file cannot be written: that is no input's fault. */
char *fuzz_write_file (const char *name, const uint8_t * data, size_t size);

G_END_DECLS
