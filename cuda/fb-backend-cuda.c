/* faceblit — the CUDA backend: every per-pixel stage in kernels (fb-kernels.cu) on one
 * stream, the style and the frame kept on the device: the tracking luma, the guides,
 * the temporal guide, seeds, StyleBlit synthesis, voting, the lighting, debug views,
 * compositing and the landmark dots. On the host: the tracker (the luma is downloaded
 * for it), the MLS nodes, the histogram's lookup table and the lighting's ratio of
 * means. Frames in system memory are uploaded and the
 * rows the faces changed downloaded; frames in CUDA memory stay where they are.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-backend-cuda.h"

#include <string.h>

#include "fb-composite.h"
#include "fb-cuda-frame.h"
#include "fb-cuda-guides.h"
#include "fb-cuda-lighting.h"
#include "fb-synthesis.h"
#include "fb-workers.h"

/* Device memory that grows and never shrinks. */
typedef struct {
  FbDevicePtr ptr;
  gsize size;
} DeviceBuffer;

typedef struct {
  DeviceBuffer rgb, guide, rgb_blurred, tone, table;
} DeviceStyleLevel;

typedef struct {
  FbBackend parent;
  FbDevice *device;
  FbWorkers *workers;
  char *name;
  /* this frame's full-range luma, packed (width bytes a row), for the guides */
  DeviceBuffer frame_luma;
  /* and on the host for the tracker, in page-locked memory: at 4K its download took
   * 1.5 ms from pageable memory, more than every stage on the GPU together */
  FbImage host_luma;
  /* this frame on the device; a host frame's planes are copied into frame_planes */
  FbCudaFrame frame;
  DeviceBuffer frame_planes[3];
  /* the style whose levels are on the device, by content */
  char *style_digest;
  DeviceStyleLevel levels[FB_STYLE_MAX_LEVELS];
} FbCudaBackend;

/* A seed level on the device: its geometry and addresses, and the memory behind them. */
typedef struct {
  FbSeedLevel level;
  DeviceBuffer seed_xy, seed_u;
} DeviceSeedLevel;

struct FbFaceBuffers {
  DeviceBuffer pos, app, coverage;
  DeviceBuffer tone_gains;      /* the backdrop's (plan->backdrop_tone) */
  DeviceBuffer guides_work[FB_CUDA_GUIDES_N_WORK];      /* the guides' working memory */
  FbCudaGuidesHost guides;      /* and what they keep on the host */
  DeviceBuffer lighting_work[FB_CUDA_LIGHTING_N_WORK];   /* the lighting's */
  FbCudaLightingHost lighting;
  DeviceBuffer previous, previous_settled;
  DeviceBuffer nnf, settled, prev_nnf, prev_settled;
  DeviceBuffer despeckle_scratch;       /* the NNF between the despeckling's passes */
  DeviceBuffer output, prev_output;
  DeviceBuffer *shown;          /* what compositing blends: prev_output, or output */
  int n_levels;
  int n_previous_levels;
  DeviceSeedLevel seeds[FB_BLIT_MAX_LEVELS];
  DeviceSeedLevel previous_seeds[FB_BLIT_MAX_LEVELS];
  DeviceBuffer previous_u[FB_BLIT_MAX_LEVELS];
  DeviceBuffer nearest[FB_BLIT_MAX_LEVELS];
};

static FbCudaBackend *
cuda_of (FbBackend * backend)
{
  return (FbCudaBackend *) backend;
}

/* Moves the device's failure to the backend. */
static gboolean
failed (FbBackend * backend)
{
  FbDevice *device = cuda_of (backend)->device;

  if (!device->error)
    fb_device_set_error (device, "a device call failed");
  fb_backend_set_error (backend, g_steal_pointer (&device->error));
  return FALSE;
}

static gboolean
ensure (FbDevice * device, DeviceBuffer * b, gsize size)
{
  if (b->size >= size)
    return TRUE;
  if (b->ptr)
    device->klass->release (device, b->ptr);
  b->size = 0;
  /* never zero bytes: an empty region still gets an address */
  b->ptr = device->klass->alloc (device, MAX (size, 1));
  if (!b->ptr)
    return FALSE;
  b->size = size;
  return TRUE;
}

static void
release (FbDevice * device, DeviceBuffer * b)
{
  if (b->ptr)
    device->klass->release (device, b->ptr);
  b->ptr = 0;
  b->size = 0;
}

static void
swap (DeviceBuffer * a, DeviceBuffer * b)
{
  DeviceBuffer t = *a;

  *a = *b;
  *b = t;
}

static gboolean
upload (FbDevice * device, DeviceBuffer * b, const void *data, gsize size)
{
  return ensure (device, b, size) && device->klass->upload (device, b->ptr, data, size);
}

static gboolean
launch (FbDevice * device, FbKernel kernel, FbLaunch geometry, const void *args,
    gsize size)
{
  if (geometry.grid_x == 0 || geometry.grid_y == 0)
    return TRUE;
  return device->klass->launch (device, kernel, &geometry, args, size);
}

/* A device address as the kernels' structs hold it. */
#define DEV(type, buffer) ((type) (guintptr) (buffer).ptr)

static void
release_host_luma (FbCudaBackend * cuda)
{
  cuda->device->klass->release_host (cuda->device, cuda->host_luma.data);
  memset (&cuda->host_luma, 0, sizeof (cuda->host_luma));
}

static gboolean
ensure_host_luma (FbCudaBackend * cuda, int width, int height)
{
  FbImage *l = &cuda->host_luma;

  if (l->data && l->width == width && l->height == height)
    return TRUE;
  release_host_luma (cuda);
  l->data = cuda->device->klass->alloc_host (cuda->device, (gsize) width * height);
  if (!l->data)
    return FALSE;
  l->width = l->stride = width;
  l->height = height;
  l->channels = 1;
  return TRUE;
}

/* A host frame is uploaded into frame_planes (whole rows, each plane with its
 * stride); a CUDA frame is used in place. */
static gboolean
cuda_begin_frame (FbBackend * backend, FbFrame * frame, const FbImage ** luma)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbDevice *device = cuda->device;
  FbFrame on_device = *frame;
  gsize pixels = (gsize) frame->width * frame->height;
  FbFrameLumaArgs a;
  int p;

  if (frame->memory == FB_MEMORY_HOST) {
    for (p = 0; p < fb_frame_n_planes (frame->format); p++) {
      gsize offset, size = fb_frame_plane_span (frame, p, 0, frame->height, &offset);
      if (!upload (device, &cuda->frame_planes[p], frame->planes[p], size))
        return failed (backend);
      on_device.planes[p] = DEV (uint8_t *, cuda->frame_planes[p]);
    }
    on_device.memory = FB_MEMORY_CUDA;
  }
  fb_cuda_frame_begin (&cuda->frame, &on_device);
  if (!ensure (device, &cuda->frame_luma, pixels))
    return failed (backend);
  a.frame = on_device;
  a.luma = DEV (uint8_t *, cuda->frame_luma);
  if (!launch (device, FB_KERNEL_ID_fb_frame_luma_kernel,
          fb_launch_2d (frame->width, frame->height), &a, sizeof (a)))
    return failed (backend);
  /* The tracker runs on the host, on the whole frame's luma. It would do with a
   * smaller image (a later optimisation). */
  if (!ensure_host_luma (cuda, frame->width, frame->height)
      || !device->klass->download (device, cuda->host_luma.data, cuda->frame_luma.ptr,
          pixels))
    return failed (backend);
  *luma = &cuda->host_luma;
  return TRUE;
}

/* A host frame gets back the rows the faces changed; a CUDA frame is complete when
 * handed back. */
static gboolean
cuda_end_frame (FbBackend * backend, FbFrame * frame)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbDevice *device = cuda->device;
  gboolean done = frame->memory == FB_MEMORY_HOST
      ? fb_cuda_frame_download_changes (&cuda->frame, device, frame)
      : device->klass->synchronize (device);

  return done || failed (backend);
}

static gboolean
cuda_mark_landmarks (FbBackend * backend, FbFrame * frame, const FbLandmarks * lm)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbMarkArgs a;
  FbLaunch geometry;

  fb_cuda_frame_mark (&cuda->frame, lm, &a, &geometry);
  if (!launch (cuda->device, FB_KERNEL_ID_fb_mark_points_kernel, geometry, &a, sizeof (a)))
    return failed (backend);
  return TRUE;
}

static FbFaceBuffers *
cuda_face_new (FbBackend * backend)
{
  FbFaceBuffers *f = g_new0 (FbFaceBuffers, 1);

  f->shown = &f->prev_output;
  return f;
}

static void
cuda_face_free (FbBackend * backend, FbFaceBuffers * f)
{
  FbDevice *device = cuda_of (backend)->device;
  DeviceBuffer *buffers[] = { &f->pos, &f->app, &f->coverage, &f->tone_gains, &f->previous,
    &f->previous_settled, &f->nnf, &f->settled, &f->prev_nnf, &f->prev_settled,
    &f->despeckle_scratch, &f->output, &f->prev_output
  };
  guint i;
  int k;

  for (i = 0; i < G_N_ELEMENTS (buffers); i++)
    release (device, buffers[i]);
  for (k = 0; k < FB_CUDA_GUIDES_N_WORK; k++)
    release (device, &f->guides_work[k]);
  for (k = 0; k < FB_CUDA_LIGHTING_N_WORK; k++)
    release (device, &f->lighting_work[k]);
  for (k = 0; k < FB_BLIT_MAX_LEVELS; k++) {
    release (device, &f->seeds[k].seed_xy);
    release (device, &f->seeds[k].seed_u);
    release (device, &f->previous_seeds[k].seed_xy);
    release (device, &f->previous_seeds[k].seed_u);
    release (device, &f->previous_u[k]);
    release (device, &f->nearest[k]);
  }
  fb_cuda_guides_host_clear (&f->guides);
  fb_cuda_lighting_host_clear (&f->lighting);
  g_free (f);
}

/* The style's levels are uploaded once per style: its content, not its address, says
 * whether the device has it. */
static gboolean
ensure_style (FbCudaBackend * cuda, const FbStyle * style)
{
  FbDevice *device = cuda->device;
  int i;

  if (g_strcmp0 (cuda->style_digest, style->digest) == 0)
    return TRUE;
  g_clear_pointer (&cuda->style_digest, g_free);
  for (i = 0; i < style->n_levels; i++) {
    const FbStyleLevel *l = &style->levels[i];
    DeviceStyleLevel *d = &cuda->levels[i];
    if (!upload (device, &d->rgb, l->rgb->data, (gsize) l->rgb->stride * l->rgb->height)
        || !upload (device, &d->guide, l->guide->data,
            (gsize) l->guide->stride * l->guide->height)
        || !upload (device, &d->rgb_blurred, l->rgb_blurred->data,
            (gsize) l->rgb_blurred->stride * l->rgb_blurred->height)
        || !upload (device, &d->tone, l->tone->data,
            (gsize) l->tone->stride * l->tone->height)
        || !upload (device, &d->table, l->table->entries,
            fb_seed_table_n_entries (l->table) * sizeof (uint32_t)))
      return FALSE;
  }
  cuda->style_digest = g_strdup (style->digest);
  return TRUE;
}

/* fb_blit_style_from_level with the device's copies. */
static FbBlitStyle
device_style (const FbCudaBackend * cuda, const FbFacePlan * plan, int level_index)
{
  const DeviceStyleLevel *d = &cuda->levels[level_index];
  FbBlitStyle s = fb_blit_style_from_level (&plan->style->levels[level_index]);

  s.rgb = DEV (const uint8_t *, d->rgb);
  s.guide = DEV (const uint8_t *, d->guide);
  s.rgb_blurred = DEV (const uint8_t *, d->rgb_blurred);
  s.table = DEV (const uint32_t *, d->table);
  return s;
}

static FbGuideBuffers
guide_buffers (const FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbGuideBuffers b = { DEV (const float *, f->pos), DEV (const uint8_t *, f->app),
    DEV (const int32_t *, f->previous), DEV (const float *, f->previous_settled),
    DEV (const uint8_t *, f->coverage), plan->coverage_width
  };

  return b;
}

static FbBlitTarget
synthesis_target (const FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbGuideBuffers buffers = guide_buffers (f, plan);

  return fb_face_plan_synthesis_target (plan, &buffers);
}

/* The guides in kernels (fb-cuda-guides.c), from this frame's luma on the device. */
static gboolean
cuda_guides (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    const FbImage * frame_luma)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbDevice *device = cuda->device;
  FbRect region = plan->synthesis_region;
  gsize pixels = (gsize) region.width * region.height;
  FbCudaGuidesSizes sizes = fb_cuda_guides_sizes (plan);
  FbCudaGuidesMemory memory;
  int i;

  if (!ensure_style (cuda, plan->style)
      || !ensure (device, &f->pos, sizes.pos)
      || !ensure (device, &f->app, sizes.app)
      || !ensure (device, &f->coverage, sizes.coverage)
      || !ensure (device, &f->previous, pixels * sizeof (int32_t))
      || !ensure (device, &f->previous_settled, 3 * pixels * sizeof (float))
      || !ensure (device, &f->nnf, pixels * sizeof (int32_t))
      || !ensure (device, &f->despeckle_scratch, pixels * sizeof (int32_t))
      || !ensure (device, &f->settled, 3 * pixels * sizeof (float))
      || (plan->backdrop_tone && !ensure (device, &f->tone_gains,
              3 * (gsize) plan->coverage_width * plan->coverage_height * sizeof (uint16_t))))
    return failed (backend);
  for (i = 0; i < FB_CUDA_GUIDES_N_WORK; i++) {
    if (!ensure (device, &f->guides_work[i], sizes.work[i]))
      return failed (backend);
    memory.work[i] = f->guides_work[i].ptr;
  }
  memory.pos = f->pos.ptr;
  memory.app = f->app.ptr;
  memory.coverage = f->coverage.ptr;
  memory.style_guide = cuda->levels[plan->level_index + plan->synthesis_shift].guide.ptr;
  memory.style_tone = cuda->levels[plan->level_index + plan->synthesis_shift].tone.ptr;
  memory.tone_gains = f->tone_gains.ptr;
  if (!fb_cuda_guides_build (device, cuda->workers, plan, cuda->frame_luma.ptr,
          frame_luma->width, frame_luma->height, &memory, &f->guides))
    return failed (backend);
  return TRUE;
}

static gboolean
cuda_temporal_guide (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbHistoryArgs a = { DEV (const int32_t *, f->prev_nnf),
    DEV (const float *, f->prev_settled), plan->previous_region, plan->synthesis_region,
    DEV (int32_t *, f->previous), DEV (float *, f->previous_settled)
  };

  if (!launch (cuda_of (backend)->device, FB_KERNEL_ID_fb_history_kernel,
          fb_launch_2d (a.region.width, a.region.height), &a, sizeof (a)))
    return failed (backend);
  return TRUE;
}

/* The CPU's fb_synthesis_seeds on the device: this frame's levels take the previous
 * frame's place, then each gets its seeds and, over the region, the map of every
 * pixel's nearest seed (made afresh each frame: it costs the GPU next to nothing). */
static gboolean
cuda_seeds (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbDevice *device = cuda_of (backend)->device;
  FbBlitTarget target = synthesis_target (f, plan);
  int n_levels = plan->n_seed_levels, k;
  gboolean with_history;

  for (k = 1; k < f->n_levels; k++) {
    DeviceSeedLevel level = f->previous_seeds[k];
    f->previous_seeds[k] = f->seeds[k];
    f->seeds[k] = level;
  }
  f->n_previous_levels = f->n_levels;
  with_history = plan->use_history && f->n_previous_levels == n_levels;
  f->n_levels = n_levels;
  for (k = 1; k < n_levels; k++) {
    DeviceSeedLevel *d = &f->seeds[k];
    FbSeedLevel *l = &d->level;
    FbSeedsArgs seeds = { k };
    FbNearestArgs nearest = { k, target.x0, target.y0, target.width, target.height };
    gsize cells;

    fb_seed_level_place (l, k, &target);
    cells = (gsize) l->cols * l->rows;
    if (!ensure (device, &d->seed_xy, 2 * cells * sizeof (int32_t))
        || !ensure (device, &d->seed_u, cells * sizeof (uint32_t))
        || !ensure (device, &f->nearest[k], (gsize) target.width * target.height)
        || (with_history && !ensure (device, &f->previous_u[k],
                cells * sizeof (uint32_t))))
      return failed (backend);
    l->seed_xy = DEV (int32_t *, d->seed_xy);
    l->seed_u = DEV (uint32_t *, d->seed_u);
    l->previous_u = with_history ? DEV (const uint32_t *, f->previous_u[k]) : NULL;
    l->nearest = DEV (const uint8_t *, f->nearest[k]);
    l->nearest_stride = target.width;
    nearest.map = DEV (uint8_t *, f->nearest[k]);
    seeds.level = *l;
    seeds.previous = f->previous_seeds[k].level;
    seeds.previous_u = with_history ? DEV (uint32_t *, f->previous_u[k]) : NULL;
    if (!launch (device, FB_KERNEL_ID_fb_nearest_kernel,
            fb_launch_2d (target.width, target.height), &nearest, sizeof (nearest))
        || !launch (device, FB_KERNEL_ID_fb_seeds_kernel, fb_launch_2d (l->cols, l->rows),
            &seeds, sizeof (seeds)))
      return failed (backend);
  }
  return TRUE;
}

/* fb_synthesis_despeckle's passes, back and forth: they end in f->nnf, as there. */
static gboolean
despeckle (FbBackend * backend, FbFaceBuffers * f, const FbBlitStyle * style,
    const FbBlitTarget * target)
{
  FbDevice *device = cuda_of (backend)->device;
  DeviceBuffer *from = &f->nnf, *to = &f->despeckle_scratch, *written;
  FbDespeckleArgs a = { NULL, NULL, target->width, target->height, style->width,
    style->height
  };
  int pass;

  G_STATIC_ASSERT (FB_DESPECKLE_PASSES % 2 == 0);
  for (pass = 0; pass < FB_DESPECKLE_PASSES; pass++) {
    a.in = DEV (const int32_t *, *from);
    a.out = DEV (int32_t *, *to);
    if (!launch (device, FB_KERNEL_ID_fb_despeckle_kernel,
            fb_launch_2d (a.width, a.height), &a, sizeof (a)))
      return failed (backend);
    written = to;
    to = from;
    from = written;
  }
  return TRUE;
}

static gboolean
cuda_synthesis (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbNnfArgs a;
  int k;

  memset (&a, 0, sizeof (a));
  a.style = device_style (cuda, plan, plan->level_index + plan->synthesis_shift);
  a.target = synthesis_target (f, plan);
  for (k = 1; k < f->n_levels; k++)
    a.levels[k] = f->seeds[k].level;
  a.n_levels = f->n_levels;
  a.nnf = DEV (int32_t *, f->nnf);
  a.settled_out = DEV (float *, f->settled);
  if (!launch (cuda->device, FB_KERNEL_ID_fb_nnf_kernel,
          fb_launch_2d (a.target.width, a.target.height), &a, sizeof (a)))
    return failed (backend);
  return despeckle (backend, f, &a.style, &a.target);
}

/* Votes at the output resolution, on the synthesis' NNF upsampled to it if need be. */
static gboolean
cuda_vote (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbCudaBackend *cuda = cuda_of (backend);
  FbBlitTarget synthesis = synthesis_target (f, plan);
  FbVoteArgs a;
  FbLaunch geometry;

  memset (&a, 0, sizeof (a));
  a.style = device_style (cuda, plan, plan->level_index);
  a.target = fb_face_plan_vote_target (plan, &synthesis);
  a.nnf = DEV (const int32_t *, f->nnf);
  a.radius = plan->params->voting / 2;
  if (!ensure (cuda->device, &f->output, (gsize) 3 * a.target.width * a.target.height))
    return failed (backend);
  a.out = DEV (uint8_t *, f->output);
  geometry = plan->synthesis_shift ? fb_launch_2d (a.target.width / 2, a.target.height / 2)
      : fb_launch_2d (a.target.width, a.target.height);
  if (!launch (cuda->device, plan->synthesis_shift ? FB_KERNEL_ID_fb_vote_upsampled_kernel
          : FB_KERNEL_ID_fb_vote_kernel, geometry, &a, sizeof (a)))
    return failed (backend);
  return TRUE;
}

/* The lighting in kernels (fb-cuda-lighting.c), on this frame's output. */
static gboolean
cuda_relight (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    uint32_t * level_ratio)
{
  FbDevice *device = cuda_of (backend)->device;
  gsize sizes[FB_CUDA_LIGHTING_N_WORK];
  FbCudaLightingMemory memory = { f->guides_work[FB_CUDA_GUIDES_LUMA].ptr, f->coverage.ptr,
    plan->backdrop_tone ? f->tone_gains.ptr : 0, f->output.ptr
  };
  int k;

  fb_cuda_lighting_sizes (plan, sizes);
  for (k = 0; k < FB_CUDA_LIGHTING_N_WORK; k++) {
    if (!ensure (device, &f->lighting_work[k], sizes[k]))
      return failed (backend);
    memory.work[k] = f->lighting_work[k].ptr;
  }
  if (!fb_cuda_lighting_apply (device, plan, &memory, &f->lighting, level_ratio))
    return failed (backend);
  return TRUE;
}

/* Swaps, not copies, as the CPU backend does. */
static gboolean
cuda_finish (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan)
{
  FbDevice *device = cuda_of (backend)->device;
  FbGuideBuffers buffers = guide_buffers (f, plan);
  FbDebugViewArgs a;

  swap (&f->output, &f->prev_output);
  swap (&f->nnf, &f->prev_nnf);
  swap (&f->settled, &f->prev_settled);
  f->shown = &f->prev_output;
  if (!FB_DEBUG_VIEW_IS_PICTURE (plan->params->debug_view))
    return TRUE;
  /* this frame's NNF has become prev_nnf */
  a.source = fb_face_plan_debug_source (plan, &buffers, DEV (const int32_t *, f->prev_nnf));
  a.width = plan->region.width;
  a.height = plan->region.height;
  if (!ensure (device, &f->output, (gsize) 3 * a.width * a.height))
    return failed (backend);
  a.out = DEV (uint8_t *, f->output);
  if (!launch (device, FB_KERNEL_ID_fb_debug_view_kernel, fb_launch_2d (a.width, a.height),
          &a, sizeof (a)))
    return failed (backend);
  f->shown = &f->output;
  return TRUE;
}

static gboolean
cuda_composite (FbBackend * backend, FbFaceBuffers * f, const FbFacePlan * plan,
    FbFrame * frame)
{
  FbCudaBackend *cuda = cuda_of (backend);
  /* the device's buffers as the images fb_face_plan_patch_source takes */
  FbImage shown = { plan->region.width, plan->region.height, 3, 3 * plan->region.width,
    DEV (uint8_t *, *f->shown)
  };
  FbImage coverage = { plan->coverage_width, plan->coverage_height, 1,
    plan->coverage_width, DEV (uint8_t *, f->coverage)
  };
  FbPatchSource source = fb_face_plan_patch_source (plan, &shown, &coverage);
  FbCompositeArgs a;
  FbKernel kernel;
  FbLaunch geometry;

  if (fb_cuda_frame_composite (&cuda->frame, &source, plan->patch, &kernel, &a, &geometry)
      && !launch (cuda->device, kernel, geometry, &a, sizeof (a)))
    return failed (backend);
  return TRUE;
}

static void
cuda_free (FbBackend * backend)
{
  FbCudaBackend *cuda = cuda_of (backend);
  int i;

  for (i = 0; i < FB_STYLE_MAX_LEVELS; i++) {
    release (cuda->device, &cuda->levels[i].rgb);
    release (cuda->device, &cuda->levels[i].guide);
    release (cuda->device, &cuda->levels[i].rgb_blurred);
    release (cuda->device, &cuda->levels[i].tone);
    release (cuda->device, &cuda->levels[i].table);
  }
  release (cuda->device, &cuda->frame_luma);
  release_host_luma (cuda);
  for (i = 0; i < 3; i++)
    release (cuda->device, &cuda->frame_planes[i]);
  fb_device_free (cuda->device);
  fb_workers_free (cuda->workers);
  g_free (cuda->style_digest);
  g_free (cuda->name);
  g_free (cuda);
}

static const FbBackendClass cuda_class = {
  cuda_free, cuda_begin_frame, cuda_end_frame, cuda_face_new, cuda_face_free,
  cuda_guides, cuda_temporal_guide, cuda_seeds, cuda_synthesis, cuda_vote, cuda_relight,
  cuda_finish, cuda_composite, cuda_mark_landmarks,
};

FbBackend *
fb_backend_cuda_new_for_device (FbDevice * device, int n_threads)
{
  FbCudaBackend *cuda = g_new0 (FbCudaBackend, 1);

  cuda->device = device;
  cuda->workers = fb_workers_new (n_threads);
  cuda->name = g_strdup (device->name);
  cuda->parent.klass = &cuda_class;
  cuda->parent.name = cuda->name;
  cuda->parent.device_frames = TRUE;
  return &cuda->parent;
}
