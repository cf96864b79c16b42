/* faceblit — the element in a GstHarness, for the element tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gst/check/gstcheck.h>

#include "fb-test-harness.h"

GstHarness *
fb_test_harness_new_valist (const gchar * first_property, va_list args)
{
  GstElement *element = gst_element_factory_make ("faceblit", NULL);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;

  fail_unless (element != NULL);
  if (first_property)
    g_object_set_valist (G_OBJECT (element), first_property, args);
  gst_element_set_bus (element, bus);
  gst_object_unref (bus);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_object_unref (element);
  return h;
}
