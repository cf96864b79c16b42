/* faceblit — the element in a GstHarness, for the element tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <gst/check/gstharness.h>

G_BEGIN_DECLS

/* A faceblit with the given properties (NULL-terminated name/value pairs) in a
 * harness, on a bus of its own so that a test can pop what the element posts. Caps
 * are the caller's to set. */
GstHarness *fb_test_harness_new_valist (const gchar * first_property, va_list args);

G_END_DECLS
