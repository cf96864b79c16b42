/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-cuda-frame.h"

#include <string.h>

G_STATIC_ASSERT (FB_MARK_MAX_POINTS == FB_N_LANDMARKS);

void
fb_cuda_frame_begin (FbCudaFrame * f, const FbFrame * frame)
{
  f->frame = *frame;
  f->changed_y0 = frame->height;
  f->changed_y1 = 0;
}

static void
changed_rows (FbCudaFrame * f, int y0, int y1)
{
  f->changed_y0 = MIN (f->changed_y0, y0);
  f->changed_y1 = MAX (f->changed_y1, y1);
}

gboolean
fb_cuda_frame_composite (FbCudaFrame * f, const FbPatchSource * source, FbRect patch,
    FbKernel * kernel, FbCompositeArgs * args, FbLaunch * geometry)
{
  FbRect whole = { 0, 0, f->frame.width, f->frame.height };
  FbRect p = fb_rect_intersect (patch, whole);

  if (p.width == 0 || p.height == 0)
    return FALSE;
  args->frame = f->frame;
  args->layout = fb_yuv_layout (f->frame.format);
  fb_yuv_coeffs_init (f->frame.matrix, args->layout.depth, &args->coeffs);
  args->sampler = fb_patch_sampler (source);
  args->patch = p;
  if (fb_format_is_yuv (f->frame.format)) {
    /* one thread per chroma sample the patch touches */
    int xs = args->layout.chroma_x_shift, ys = args->layout.chroma_y_shift;
    *kernel = FB_KERNEL_ID_fb_composite_yuv_kernel;
    *geometry = fb_launch_2d (((p.x + p.width - 1) >> xs) - (p.x >> xs) + 1,
        ((p.y + p.height - 1) >> ys) - (p.y >> ys) + 1);
  } else {
    *kernel = FB_KERNEL_ID_fb_composite_packed_kernel;
    *geometry = fb_launch_2d (p.width, p.height);
  }
  changed_rows (f, p.y, p.y + p.height);
  return TRUE;
}

void
fb_cuda_frame_mark (FbCudaFrame * f, const FbLandmarks * lm, FbMarkArgs * args,
    FbLaunch * geometry)
{
  int i;

  args->frame = f->frame;
  args->layout = fb_yuv_layout (f->frame.format);
  fb_yuv_coeffs_init (f->frame.matrix, args->layout.depth, &args->coeffs);
  memcpy (args->points, lm->points, sizeof (args->points));
  args->n_points = FB_N_LANDMARKS;
  *geometry = fb_launch_2d (1, 1);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    FbRect dot;
    if (fb_mark_dot (lm->points[i], f->frame.width, f->frame.height, &dot))
      changed_rows (f, dot.y, dot.y + dot.height);
  }
}

gboolean
fb_cuda_frame_download_changes (const FbCudaFrame * f, FbDevice * device, FbFrame * host)
{
  int p;

  if (f->changed_y0 >= f->changed_y1)
    return TRUE;
  /* Whole rows, strides included: the padding between them is the host's own, uploaded
   * with the frame and untouched since. */
  for (p = 0; p < fb_frame_n_planes (host->format); p++) {
    gsize offset, size = fb_frame_plane_span (host, p, f->changed_y0, f->changed_y1,
        &offset);
    if (!device->klass->download (device, host->planes[p] + offset,
            (FbDevicePtr) (guintptr) f->frame.planes[p] + offset, size))
      return FALSE;
  }
  return TRUE;
}
