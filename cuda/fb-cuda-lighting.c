/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-cuda-lighting.h"

#include <string.h>

#include "fb-cuda-guides.h"
#include "fb-lighting.h"

/* A device address as the kernels' structs hold it. */
#define AT(type, ptr) ((type) (guintptr) (ptr))

static gboolean
run (FbDevice * device, FbKernel kernel, FbLaunch geometry, const void *args, gsize size)
{
  return device->klass->launch (device, kernel, &geometry, args, size);
}

void
fb_cuda_lighting_sizes (const FbFacePlan * plan, gsize sizes[FB_CUDA_LIGHTING_N_WORK])
{
  gsize samples = (gsize) plan->coverage_width * plan->coverage_height;

  /* at lighting 0 (a painted background's tone alone) the output is multiplied by the
   * backdrop's tone gains as they are: none of these is used */
  if (plan->lighting == 0) {
    memset (sizes, 0, FB_CUDA_LIGHTING_N_WORK * sizeof (gsize));
    return;
  }

  sizes[FB_CUDA_LIGHTING_TARGET] = samples;
  sizes[FB_CUDA_LIGHTING_STYLIZED] = samples;
  sizes[FB_CUDA_LIGHTING_TARGET_BLURRED] = samples * sizeof (uint16_t);
  sizes[FB_CUDA_LIGHTING_STYLIZED_BLURRED] = samples * sizeof (uint16_t);
  sizes[FB_CUDA_LIGHTING_SPARE] = samples * sizeof (uint16_t);
  sizes[FB_CUDA_LIGHTING_GAINS] = 3 * samples * sizeof (uint16_t);   /* per channel */
  sizes[FB_CUDA_LIGHTING_ROW_SUMS] = 2 * (gsize) plan->coverage_height * sizeof (uint32_t);
}

/* The weighted lumas and their rows' sums, downloaded into host->row_sums. */
static gboolean
sample (FbDevice * device, const FbFacePlan * plan, const FbCudaLightingMemory * m,
    FbCudaLightingHost * host)
{
  int w = plan->coverage_width, h = plan->coverage_height;
  FbLightingSampleArgs samples = { fb_face_plan_lighting_samples (plan,
        AT (const uint8_t *, m->luma), plan->synthesis_region.width,
        AT (const uint8_t *, m->output), 3 * plan->region.width,
        AT (const uint8_t *, m->coverage), w), w, h,
    AT (uint8_t *, m->work[FB_CUDA_LIGHTING_TARGET]),
    AT (uint8_t *, m->work[FB_CUDA_LIGHTING_STYLIZED])
  };
  FbLightingRowSumsArgs sums = { samples.target, samples.stylized, w, h,
    AT (uint32_t *, m->work[FB_CUDA_LIGHTING_ROW_SUMS])
  };

  if ((gsize) h > host->rows_capacity) {
    host->row_sums = g_renew (uint32_t, host->row_sums, 2 * (gsize) h);
    host->rows_capacity = h;
  }
  return run (device, FB_KERNEL_ID_fb_lighting_sample_kernel, fb_launch_2d (w, h),
      &samples, sizeof (samples))
      && run (device, FB_KERNEL_ID_fb_lighting_row_sums_kernel, fb_launch_2d (h, 1),
      &sums, sizeof (sums))
      && device->klass->download (device, host->row_sums,
      m->work[FB_CUDA_LIGHTING_ROW_SUMS], 2 * (gsize) h * sizeof (uint32_t));
}

gboolean
fb_cuda_lighting_apply (FbDevice * device, const FbFacePlan * plan,
    const FbCudaLightingMemory * m, FbCudaLightingHost * host, uint32_t * level_ratio)
{
  int w = plan->coverage_width, h = plan->coverage_height, radii[FB_BLUR_PASSES];
  FbLightingGainArgs gains = { AT (const uint16_t *,
        m->work[FB_CUDA_LIGHTING_TARGET_BLURRED]), AT (const uint16_t *,
        m->work[FB_CUDA_LIGHTING_STYLIZED_BLURRED]), AT (const uint8_t *, m->coverage),
    w, h, 0, plan->lighting, AT (const uint16_t *, m->tone_gains),
    AT (uint16_t *, m->work[FB_CUDA_LIGHTING_GAINS])
  };
  FbLightingApplyArgs apply = { gains.gains, gains.tone_gains ? (size_t) w * h : 0, w, h,
    plan->coverage_shift + plan->synthesis_shift, AT (uint8_t *, m->output),
    plan->region.width, plan->region.height
  };

  if (plan->lighting == 0) {
    apply.gains = gains.tone_gains;
    return run (device, FB_KERNEL_ID_fb_lighting_apply_kernel,
        fb_launch_2d (apply.width, apply.height), &apply, sizeof (apply));
  }

  /* fb_face_plan_lighting_sigma is at least 1: the blur always has radii */
  fb_blur_radii (fb_face_plan_lighting_sigma (plan), radii);
  if (!sample (device, plan, m, host)
      || !fb_cuda_blur_fixed (device, m->work[FB_CUDA_LIGHTING_TARGET],
          m->work[FB_CUDA_LIGHTING_TARGET_BLURRED], m->work[FB_CUDA_LIGHTING_SPARE], w, h,
          radii)
      || !fb_cuda_blur_fixed (device, m->work[FB_CUDA_LIGHTING_STYLIZED],
          m->work[FB_CUDA_LIGHTING_STYLIZED_BLURRED], m->work[FB_CUDA_LIGHTING_SPARE], w,
          h, radii))
    return FALSE;
  gains.level_ratio = *level_ratio = fb_lighting_level_ratio (host->row_sums, h,
      *level_ratio);
  return run (device, FB_KERNEL_ID_fb_lighting_gain_kernel, fb_launch_2d (w, h), &gains,
      sizeof (gains))
      && run (device, FB_KERNEL_ID_fb_lighting_apply_kernel,
      fb_launch_2d (apply.width, apply.height), &apply, sizeof (apply));
}

void
fb_cuda_lighting_host_clear (FbCudaLightingHost * host)
{
  g_free (host->row_sums);
  memset (host, 0, sizeof (*host));
}
