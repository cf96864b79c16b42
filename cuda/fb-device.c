/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-device.h"

#define FB_KERNEL_NAME(name, args) #name,
const char *const fb_kernel_names[FB_N_KERNELS] = { FB_KERNELS (FB_KERNEL_NAME) };
#undef FB_KERNEL_NAME

G_DEFINE_QUARK (fb-device-error-quark, fb_device_error)

void
fb_device_set_error (FbDevice * device, const char *format, ...)
{
  va_list args;
  gchar *message;

  if (device->error)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  device->error = g_error_new (fb_device_error_quark (), 0, "%s: %s", device->name, message);
  g_free (message);
}

FbLaunch
fb_launch_2d (int width, int height)
{
  FbLaunch l = { (guint) (width + 15) / 16, (guint) (height + 15) / 16, 16, 16 };

  return l;
}
