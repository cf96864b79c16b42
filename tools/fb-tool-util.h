/* faceblit — small helpers shared by the command-line tools: error reporting and
 * output files that are written completely or not at all, never over a user's file
 * without --force.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FB_TOOL_ERROR (fb_tool_error_quark ())
GQuark fb_tool_error_quark (void);

/* Prints "PROGRAM: message" on stderr; returns 1 for main () to return. */
int fb_tool_fail (const GError * error);
/* Prints "PROGRAM: message" and a hint to --help on stderr; returns 2. */
int fb_tool_usage (GOptionContext * context, const char *message);

/* Reads exactly n numbers (C locale) separated by any of separators, as in "X,Y,W,H"
 * or "WxH"; FALSE when there are more or fewer, or one is not a number. */
gboolean fb_tool_parse_numbers (const char *text, const char *separators, double *out,
    int n);

typedef struct {
  char *path;                   /* where the result goes */
  char *temp_path;              /* write here, then fb_tool_output_commit () */
  gboolean force;
  gboolean committed;
} FbToolOutput;

/* Fails when path exists and force is FALSE ("pass --force"), or when its folder is
 * not writable. Creates an empty temporary file beside path. */
FbToolOutput *fb_tool_output_begin (const char *path, gboolean force, GError ** error);
/* Moves the temporary file to path; without force, fails rather than replace a file
 * that appeared meanwhile. */
gboolean fb_tool_output_commit (FbToolOutput * output, GError ** error);
/* Removes the temporary file unless committed. */
void fb_tool_output_free (FbToolOutput * output);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbToolOutput, fb_tool_output_free)

G_END_DECLS
