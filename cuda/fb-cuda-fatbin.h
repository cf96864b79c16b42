/* faceblit — the kernels of fb-kernels.cu as nvcc builds them: one fatbin with SASS for
 * every GPU generation we support and PTX for later ones, embedded at build time
 * (embed-binary.py) so that the plugin needs no file beside it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 8-byte aligned, as CuModuleLoadData reads the fatbin's headers in place */
extern const unsigned char fb_cuda_fatbin[];
extern const gsize fb_cuda_fatbin_size;

G_END_DECLS
