/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-composite.h"

#include <string.h>

#include "fb-blit.h"
#include "fb-synthesis.h"

typedef struct {
  const FbPatchSource *source;
  FbRect patch;
  FbImage *rgb;
  FbImage *alpha;
} CompositeJob;

static void
composite_job (void *data, int index, int count)
{
  CompositeJob *job = data;
  const FbPatchSource *from = job->source;
  const FbImage *src = from->colours, *coverage = from->coverage;
  FbSimilarity to_canonical = from->to_canonical;
  float coverage_scale = 1.0f / (1 << from->coverage_shift);
  int y0, y1, x, y;

  fb_band_rows (job->patch.height, index, count, &y0, &y1);
  for (y = y0; y < y1; y++) {
    uint8_t *rgb = fb_image_row (job->rgb, y);
    uint8_t *alpha = fb_image_row (job->alpha, y);
    FbPoint start = { job->patch.x, job->patch.y + y };
    FbPoint c = fb_similarity_apply (to_canonical, start);
    for (x = 0; x < job->patch.width; x++, c.x += to_canonical.a, c.y += to_canonical.b) {
      float cx = c.x - from->region.x, cy = c.y - from->region.y, m, qx, qy, colour[3];
      if (cx < -0.5f || cy < -0.5f || cx > src->width - 0.5f || cy > src->height - 0.5f) {
        alpha[x] = 0;
        continue;
      }
      qx = (cx + 0.5f) * coverage_scale - 0.5f;
      qy = (cy + 0.5f) * coverage_scale - 0.5f;
      if (!coverage) {
        alpha[x] = 255;
      } else if (qx >= 0 && qy >= 0 && qx < coverage->width - 1 && qy < coverage->height - 1) {
        fb_sample_bilinear_inside (coverage->data, coverage->stride, 1, qx, qy, alpha + x);
      } else {
        fb_sample_bilinear (coverage->data, coverage->stride, coverage->width,
            coverage->height, 1, qx, qy, &m);
        alpha[x] = (uint8_t) (m + 0.5f);
      }
      if (!alpha[x])
        continue;
      if (from->nearest) {
        int nx = CLAMP ((int) (cx + 0.5f), 0, src->width - 1);
        int ny = CLAMP ((int) (cy + 0.5f), 0, src->height - 1);
        memcpy (rgb + 3 * x, fb_image_row (src, ny) + 3 * nx, 3);
        continue;
      }
      if (cx >= 0 && cy >= 0 && cx < src->width - 1 && cy < src->height - 1) {
        fb_sample_bilinear_inside (src->data, src->stride, 3, cx, cy, rgb + 3 * x);
        continue;
      }
      fb_sample_bilinear (src->data, src->stride, src->width, src->height, 3, cx, cy,
          colour);
      rgb[3 * x] = (uint8_t) (colour[0] + 0.5f);
      rgb[3 * x + 1] = (uint8_t) (colour[1] + 0.5f);
      rgb[3 * x + 2] = (uint8_t) (colour[2] + 0.5f);
    }
  }
}

void
fb_composite_patch (FbWorkers * workers, const FbPatchSource * source, FbRect patch,
    FbImage * rgb, FbImage * alpha)
{
  CompositeJob job = { source, patch, rgb, alpha };

  g_return_if_fail (rgb->width == patch.width && rgb->height == patch.height
      && rgb->channels == 3);
  g_return_if_fail (alpha->width == patch.width && alpha->height == patch.height
      && alpha->channels == 1);
  g_return_if_fail (source->colours->width == source->region.width
      && source->colours->height == source->region.height);
  fb_workers_run (workers, composite_job, &job, fb_band_count (workers, patch.height));
}
