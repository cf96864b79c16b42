/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-cuda-guides.h"

#include <string.h>

#include "fb-face-guides.h"
#include "fb-face-guides-pixel.h"
#include "fb-guide.h"
#include "fb-mask.h"

/* A device address as the kernels' structs hold it. */
#define AT(type, ptr) ((type) (guintptr) (ptr))

/* Threads a block of a launch over rows. */
#define ROWS_PER_BLOCK 64

static gboolean
run (FbDevice * device, FbKernel kernel, FbLaunch geometry, const void *args, gsize size)
{
  return device->klass->launch (device, kernel, &geometry, args, size);
}

/* One thread per row of n. */
static FbLaunch
launch_rows (int n)
{
  FbLaunch l = { (guint) (n + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK, 1, ROWS_PER_BLOCK, 1 };

  return l;
}

FbCudaGuidesSizes
fb_cuda_guides_sizes (const FbFacePlan * plan)
{
  FbRect region = plan->synthesis_region;
  gsize pixels = (gsize) region.width * region.height;
  FbCudaGuidesSizes s = { 2 * pixels * sizeof (float), pixels,
    (gsize) plan->coverage_width * plan->coverage_height
  };

  s.work[FB_CUDA_GUIDES_LUMA] = pixels;
  s.work[FB_CUDA_GUIDES_DETAIL_LUMA] = pixels;
  /* the coverage is never larger than the region */
  s.work[FB_CUDA_GUIDES_PLANE_A] = pixels * sizeof (uint16_t);
  s.work[FB_CUDA_GUIDES_PLANE_B] = pixels * sizeof (uint16_t);
  s.work[FB_CUDA_GUIDES_MASK_DELTA] =
      (gsize) plan->coverage_height * (plan->coverage_width + 2) * sizeof (float);
  s.work[FB_CUDA_GUIDES_COUNTS] = 256 * sizeof (uint32_t);
  s.work[FB_CUDA_GUIDES_LUT] = 256;
  s.work[FB_CUDA_GUIDES_NODES] = fb_mls_grid_nodes (region.width, region.height,
      FB_FACE_MLS_SPACING) * sizeof (FbPoint);
  return s;
}

gboolean
fb_cuda_blur_fixed (FbDevice * device, FbDevicePtr bytes, FbDevicePtr plane,
    FbDevicePtr spare, int width, int height, const int radii[FB_BLUR_PASSES])
{
  FbDevicePtr planes[2] = { plane, spare };
  FbBlurWidenArgs widen = { AT (const uint8_t *, bytes), AT (uint16_t *, planes[0]), width,
    height
  };
  FbLaunch geometry = fb_launch_2d (width, height);
  int pass;

  if (!run (device, FB_KERNEL_ID_fb_blur_widen_kernel, geometry, &widen, sizeof (widen)))
    return FALSE;
  /* an even number of passes, each from one plane into the other, ends in planes[0] */
  for (pass = 0; pass < 2 * FB_BLUR_PASSES; pass++) {
    FbBoxPassArgs box = { AT (const uint16_t *, planes[pass % 2]),
      AT (uint16_t *, planes[(pass + 1) % 2]), width, height, radii[pass % FB_BLUR_PASSES],
      pass < FB_BLUR_PASSES
    };
    if (!run (device, FB_KERNEL_ID_fb_box_pass_kernel, geometry, &box, sizeof (box)))
      return FALSE;
  }
  return TRUE;
}

static gboolean
resample_luma (FbDevice * device, const FbFacePlan * plan, FbDevicePtr frame_luma,
    int frame_width, int frame_height, const FbCudaGuidesMemory * m)
{
  FbRect region = plan->synthesis_region;
  FbResampleArgs a = { AT (const uint8_t *, frame_luma), frame_width, frame_height,
    plan->synthesis_to_frame, region, AT (uint8_t *, m->work[FB_CUDA_GUIDES_LUMA])
  };

  return run (device, FB_KERNEL_ID_fb_resample_kernel,
      fb_launch_2d ((region.width + FB_RESAMPLE_SPAN - 1) / FB_RESAMPLE_SPAN,
          region.height), &a, sizeof (a));
}

/* fb_cuda_blur_fixed in the guides' planes: leaves its result in PLANE_A. */
static gboolean
blur_fixed (FbDevice * device, const FbCudaGuidesMemory * m, FbDevicePtr bytes,
    int width, int height, const int radii[FB_BLUR_PASSES])
{
  return fb_cuda_blur_fixed (device, bytes, m->work[FB_CUDA_GUIDES_PLANE_A],
      m->work[FB_CUDA_GUIDES_PLANE_B], width, height, radii);
}

/* fb_cap_thin_dark of the resampled luma into DETAIL_LUMA, its passes through the
 * blur's planes (free until the blur) as planes of bytes. */
static gboolean
cap_thin_dark (FbDevice * device, const FbFacePlan * plan, const FbCudaGuidesMemory * m,
    int radius)
{
  FbRect region = plan->synthesis_region;
  FbDevicePtr planes[3] = { m->work[FB_CUDA_GUIDES_LUMA], m->work[FB_CUDA_GUIDES_PLANE_A],
    m->work[FB_CUDA_GUIDES_PLANE_B]
  };
  FbThinDarkCapArgs cap = { AT (const uint8_t *, m->work[FB_CUDA_GUIDES_LUMA]),
    AT (const uint8_t *, planes[1]), AT (uint8_t *, m->work[FB_CUDA_GUIDES_DETAIL_LUMA]),
    region.width, region.height, radius
  };
  /* dilation along the rows, down the columns, erosion along the rows: from the luma
   * into A, then B, then A again; the cap erodes A down the columns */
  static const struct {
    int src, dst, vertical, larger;
  } passes[3] = { {0, 1, FALSE, TRUE}, {1, 2, TRUE, TRUE}, {2, 1, FALSE, FALSE} };
  FbLaunch geometry = fb_launch_2d (region.width, region.height);
  int pass;

  for (pass = 0; pass < 3; pass++) {
    FbClosingPassArgs a = { AT (const uint8_t *, planes[passes[pass].src]),
      AT (uint8_t *, planes[passes[pass].dst]), region.width, region.height, radius,
      passes[pass].vertical, passes[pass].larger
    };
    if (!run (device, FB_KERNEL_ID_fb_closing_pass_kernel, geometry, &a, sizeof (a)))
      return FALSE;
  }
  return run (device, FB_KERNEL_ID_fb_thin_dark_cap_kernel, geometry, &cap, sizeof (cap));
}

/* fb_appearance_guide of the resampled luma, its thin dark details capped. */
static gboolean
appearance_guide (FbDevice * device, const FbFacePlan * plan, const FbCudaGuidesMemory * m)
{
  FbRect region = plan->synthesis_region;
  float face_width = plan->synthesis_level->face_width;
  int radii[FB_BLUR_PASSES], thin_dark_radius = fb_thin_dark_radius (face_width);
  FbDevicePtr detail_luma = thin_dark_radius > 0 ? m->work[FB_CUDA_GUIDES_DETAIL_LUMA]
      : m->work[FB_CUDA_GUIDES_LUMA];
  FbBlurNarrowArgs a = { AT (const uint8_t *, detail_luma),
    AT (const uint16_t *, m->work[FB_CUDA_GUIDES_PLANE_A]), AT (uint8_t *, m->app),
    region.width, region.height
  };

  if (!fb_blur_radii (FB_GUIDE_BLUR_FRACTION * face_width, radii))
    return device->klass->fill (device, m->app, 128, (gsize) region.width * region.height);
  if (thin_dark_radius > 0 && !cap_thin_dark (device, plan, m, thin_dark_radius))
    return FALSE;
  return blur_fixed (device, m, detail_luma, region.width, region.height, radii)
      && run (device, FB_KERNEL_ID_fb_appearance_kernel,
      fb_launch_2d (region.width, region.height), &a, sizeof (a));
}

/* fb_face_mask_render into the coverage: the outline on the host, its rows and the
 * feather on the device. */
static gboolean
render_coverage (FbDevice * device, const FbFacePlan * plan, const FbCudaGuidesMemory * m)
{
  int w = plan->coverage_width, h = plan->coverage_height, radii[FB_BLUR_PASSES], y0, y1;
  FbFaceMaskArgs a;
  FbBlurNarrowArgs narrow = { NULL, AT (const uint16_t *, m->work[FB_CUDA_GUIDES_PLANE_A]),
    AT (uint8_t *, m->coverage), w, h
  };
  FbLandmarks lm;
  float feather = fb_face_coverage_landmarks (plan, &lm);

  if (!device->klass->fill (device, m->coverage, 0, (gsize) w * h))
    return FALSE;
  if (!fb_face_mask_outline (&lm, 0, 0, h, a.outline, &y0, &y1))
    return TRUE;
  a.y0 = y0;
  a.rows = y1 - y0 + 1;
  a.width = w;
  a.delta = AT (float *, m->work[FB_CUDA_GUIDES_MASK_DELTA]);
  a.mask = AT (uint8_t *, m->coverage);
  if (!run (device, FB_KERNEL_ID_fb_face_mask_kernel, launch_rows (a.rows), &a, sizeof (a)))
    return FALSE;
  if (!(feather > 0) || !fb_blur_radii (feather, radii))
    return TRUE;
  return blur_fixed (device, m, m->coverage, w, h, radii)
      && run (device, FB_KERNEL_ID_fb_coverage_narrow_kernel, fb_launch_2d (w, h), &narrow,
      sizeof (narrow));
}

/* The face's histogram of the appearance guide, counted into COUNTS. */
static gboolean
count_face_histogram (FbDevice * device, const FbFacePlan * plan,
    const FbCudaGuidesMemory * m)
{
  FbRect region = plan->synthesis_region;
  FbFaceHistogramArgs a = { AT (const uint8_t *, m->coverage), plan->coverage_width,
    plan->coverage_height, plan->coverage_shift, AT (const uint8_t *, m->app), region.width,
    region.height, AT (uint32_t *, m->work[FB_CUDA_GUIDES_COUNTS])
  };

  return device->klass->fill (device, m->work[FB_CUDA_GUIDES_COUNTS], 0,
      256 * sizeof (uint32_t))
      && run (device, FB_KERNEL_ID_fb_face_histogram_kernel,
      fb_launch_2d (a.coverage_width, a.coverage_height), &a, sizeof (a));
}

/* match_face_histogram's table, made on the host from the device's counts. */
static gboolean
match_face_histogram (FbDevice * device, const FbFacePlan * plan,
    const FbCudaGuidesMemory * m)
{
  FbRect region = plan->synthesis_region;
  FbLutArgs a = { AT (const uint8_t *, m->work[FB_CUDA_GUIDES_LUT]), AT (uint8_t *, m->app),
    region.width, region.height
  };
  uint32_t counted[256];
  guint64 counts[256];
  uint8_t lut[256];
  FbHistogram face;
  int v;

  if (!device->klass->download (device, counted, m->work[FB_CUDA_GUIDES_COUNTS],
          sizeof (counted)))
    return FALSE;
  for (v = 0; v < 256; v++)
    counts[v] = counted[v];
  fb_histogram_from_counts (counts, &face);
  if (!fb_histogram_match_lut (&face, &plan->synthesis_level->histogram, lut))
    return TRUE;
  return device->klass->upload (device, m->work[FB_CUDA_GUIDES_LUT], lut, sizeof (lut))
      && run (device, FB_KERNEL_ID_fb_lut_kernel, fb_launch_2d (region.width,
          region.height), &a, sizeof (a));
}

static void
nodes_job (void *data, int index, int count)
{
  fb_mls_field_nodes (data, index, index + 1);
}

/* The MLS field's nodes on the host threads, its pixels on the device. */
static gboolean
positional_guide (FbDevice * device, FbWorkers * workers, const FbFacePlan * plan,
    const FbCudaGuidesMemory * m, FbCudaGuidesHost * host)
{
  FbMlsField field = fb_face_positional_field (plan);
  gsize nodes = fb_mls_grid_nodes (field.width, field.height, field.spacing);
  const FbImage *style = plan->synthesis_level->rgb;
  FbPositionalArgs a = { AT (const FbPoint *, m->work[FB_CUDA_GUIDES_NODES]),
    field.width / field.spacing + 2, field.spacing, field.width, field.height,
    plan->params->stylize_background, style->width, style->height,
    fb_style_corner_size (style->width, style->height),
    plan->synthesis_level->background_corner, AT (float *, m->pos),
    AT (const uint8_t *, m->style_tone), plan->synthesis_level->tone->stride,
    {plan->synthesis_level->border_tone[0], plan->synthesis_level->border_tone[1],
        plan->synthesis_level->border_tone[2]}, plan->coverage_shift,
    plan->coverage_width, plan->backdrop_tone ? AT (uint16_t *, m->tone_gains) : NULL,
    (size_t) plan->coverage_width * plan->coverage_height
  };

  if (nodes > host->nodes_capacity) {
    host->nodes = g_renew (FbPoint, host->nodes, nodes);
    host->nodes_capacity = nodes;
  }
  field.nodes = host->nodes;
  fb_workers_run (workers, nodes_job, &field, fb_mls_field_node_rows (&field));
  return device->klass->upload (device, m->work[FB_CUDA_GUIDES_NODES], host->nodes,
      nodes * sizeof (FbPoint))
      && run (device, FB_KERNEL_ID_fb_positional_kernel,
      fb_launch_2d (field.width, field.height), &a, sizeof (a));
}

/* fb_background_appearance, once the positional guide and the matched appearance
 * guide are done. */
static gboolean
background_appearance (FbDevice * device, const FbFacePlan * plan,
    const FbCudaGuidesMemory * m)
{
  FbRect region = plan->synthesis_region;
  const FbImage *style_guide = plan->synthesis_level->guide;
  FbBackgroundAppearanceArgs a = { AT (uint8_t *, m->app), AT (const float *, m->pos),
    AT (const uint8_t *, m->coverage), plan->coverage_width, plan->coverage_height,
    plan->coverage_shift, AT (const uint8_t *, m->style_guide), style_guide->stride,
    style_guide->width, style_guide->height, region.width, region.height
  };

  return run (device, FB_KERNEL_ID_fb_background_appearance_kernel,
      fb_launch_2d (region.width, region.height), &a, sizeof (a));
}

/* The order of fb_face_guides_build, except that the nodes are computed while the
 * device works and the histogram's counts come back only then. */
gboolean
fb_cuda_guides_build (FbDevice * device, FbWorkers * workers, const FbFacePlan * plan,
    FbDevicePtr frame_luma, int frame_width, int frame_height,
    const FbCudaGuidesMemory * memory, FbCudaGuidesHost * host)
{
  return resample_luma (device, plan, frame_luma, frame_width, frame_height, memory)
      && appearance_guide (device, plan, memory)
      && render_coverage (device, plan, memory)
      && count_face_histogram (device, plan, memory)
      && positional_guide (device, workers, plan, memory, host)
      && match_face_histogram (device, plan, memory)
      && (!plan->params->stylize_background
      || background_appearance (device, plan, memory));
}

void
fb_cuda_guides_host_clear (FbCudaGuidesHost * host)
{
  g_free (host->nodes);
  memset (host, 0, sizeof (*host));
}
