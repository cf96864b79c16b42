/* faceblit — plugin entry point.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "gstfaceblit.h"
#include "gstfaceblit-cuda.h"

/* The element registers with or without a GPU: it runs on the CPU then. */
static gboolean
plugin_init (GstPlugin * plugin)
{
  gst_face_blit_cuda_plugin_init ();
  return GST_ELEMENT_REGISTER (faceblit, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, faceblit,
    "Restyles faces in video after one example portrait (FaceBlit / StyleBlit)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
