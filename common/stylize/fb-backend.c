/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend.h"

void
fb_backend_free (FbBackend * backend)
{
  if (!backend)
    return;
  g_clear_error (&backend->error);
  backend->klass->free (backend);
}

GError *
fb_backend_take_error (FbBackend * backend)
{
  GError *error = backend->error;

  backend->error = NULL;
  return error;
}

void
fb_backend_set_error (FbBackend * backend, GError * error)
{
  if (backend->error)
    g_error_free (error);
  else
    backend->error = error;
}
