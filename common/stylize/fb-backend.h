/* faceblit — where the per-pixel stages run. The orchestration (fb-stylize.c) decides
 * once per face and frame what to compute (FbFacePlan); a backend runs each stage: the
 * CPU backend on FbWorkers (fb-backend-cpu.c), the CUDA backend in kernels
 * (cuda/fb-backend-cuda.c), or, in a build without CUDA, nothing
 * (cuda/fb-device-nocuda.c: no GPU). Every stage reads the same per-pixel functions of
 * fb-blit.h and its siblings, so both give the same pictures.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "fb-blit.h"
#include "fb-composite.h"
#include "fb-engine.h"
#include "fb-frame.h"
#include "fb-style.h"

G_BEGIN_DECLS

/* What the orchestration decided for one face in one frame. The synthesis runs in the
 * canonical space of style level `level + synthesis_shift` (synthesis_region); its
 * result is upsampled into level `level`'s (region), the output. */
typedef struct {
  const FbStyle *style;
  int level_index;
  const FbStyleLevel *level;
  const FbStyleLevel *synthesis_level;
  int synthesis_shift;
  FbSimilarity synthesis_to_frame;      /* synthesis canonical space -> frame */
  FbSimilarity to_canonical;    /* frame -> output canonical space */
  FbRect synthesis_region;
  FbRect region;                /* synthesis_region at the output resolution */
  FbLandmarks canonical_lm;     /* in the synthesis canonical space */
  float feather;                /* mask feather sigma, synthesis pixels */
  /* the feathered mask's resolution: 1 / 2^coverage_shift of the synthesis region's */
  int coverage_shift;
  int coverage_width;
  int coverage_height;
  int n_seed_levels;
  /* The previous frame's choices are in this frame's canonical space: they are the
   * temporal guide. keep_settled: and they were made under this frame's rules, so
   * those whose guides have not moved stand without a search. */
  gboolean use_history;
  gboolean keep_settled;
  FbRect previous_region;       /* the previous frame's synthesis_region */
  FbRect patch;                 /* the frame pixels the output covers, clipped */
  /* params->lighting in 1/FB_LIGHTING_FULL (fb_lighting_fixed); 0: the output keeps
   * the exemplar's shading and the relight stage does not run, nor does it under a
   * debug view that replaces the output */
  int lighting;
  /* a painted background has one even backdrop tone where the exemplar ends
   * (fb_backdrop_tone_gains): the guides stage makes the gains at the coverage's
   * resolution, the relight stage applies them; not under a debug view that replaces
   * the output */
  gboolean backdrop_tone;
  const FbRenderParams *params;
} FbFacePlan;

/* Where a backend keeps a face's guides (host or device addresses). */
typedef struct {
  const float *pos;
  const uint8_t *app;
  const int32_t *previous;      /* the temporal guide (plan->use_history) */
  const float *previous_settled;        /* (plan->keep_settled) */
  const uint8_t *coverage;
  int coverage_stride;
} FbGuideBuffers;

/* The synthesis' target for a plan: the synthesis region, its guides, its rules. */
FbBlitTarget fb_face_plan_synthesis_target (const FbFacePlan * plan,
    const FbGuideBuffers * buffers);
/* Voting's: the output region, where the face shows. */
FbBlitTarget fb_face_plan_vote_target (const FbFacePlan * plan,
    const FbBlitTarget * synthesis);
/* What plan->params->debug_view pictures; nnf: the synthesis' result. */
FbDebugSource fb_face_plan_debug_source (const FbFacePlan * plan,
    const FbGuideBuffers * buffers, const int32_t * nnf);
/* What compositing blends: colours (3 channels, plan->region-sized) and, unless the
 * background is painted, the coverage as opacity. */
FbPatchSource fb_face_plan_patch_source (const FbFacePlan * plan, const FbImage * colours,
    const FbImage * coverage);

typedef struct FbBackend FbBackend;
/* A face's buffers on the backend, kept from frame to frame: its guides, its NNF, and
 * its previous frame's choices and output. */
typedef struct FbFaceBuffers FbFaceBuffers;

/* The stages in the order fb_face_stylizer_run calls them. A stage that fails returns
 * FALSE with the backend's error set (fb_backend_take_error); the face's buffers are
 * then undefined until the next fb_backend_face_new. */
typedef struct {
  void (*free) (FbBackend * backend);
  /* Takes the frame for the stages that follow (a GPU backend uploads a frame in host
   * memory) and gives the whole frame's full-range luma on the host, for the tracker:
   * the backend's own (a GPU backend's in page-locked memory), valid until its next
   * begin_frame. */
  gboolean (*begin_frame) (FbBackend * backend, FbFrame * frame, const FbImage ** luma);
  /* Hands the frame back, every face composited (downloaded if it was uploaded). */
  gboolean (*end_frame) (FbBackend * backend, FbFrame * frame);
  FbFaceBuffers *(*face_new) (FbBackend * backend);
  void (*face_free) (FbBackend * backend, FbFaceBuffers * face);
  /* Luma resampled into the synthesis region, the appearance guide matched to the
   * style's histogram inside the face, the feathered face mask (coverage) and the
   * MLS positional guide. frame_luma: what begin_frame gave for this frame. */
  gboolean (*guides) (FbBackend * backend, FbFaceBuffers * face, const FbFacePlan * plan,
      const FbImage * frame_luma);
  /* The previous frame's choices moved into this frame's region (plan->use_history). */
  gboolean (*temporal_guide) (FbBackend * backend, FbFaceBuffers * face,
      const FbFacePlan * plan);
  gboolean (*seeds) (FbBackend * backend, FbFaceBuffers * face, const FbFacePlan * plan);
  gboolean (*synthesis) (FbBackend * backend, FbFaceBuffers * face,
      const FbFacePlan * plan);
  gboolean (*vote) (FbBackend * backend, FbFaceBuffers * face, const FbFacePlan * plan);
  /* Multiplies the output by the gain map that carries the target's large-scale
   * shading onto it (plan->lighting > 0; fb-lighting.h). level_ratio: the face's
   * previous frame's ratio of mean lumas (0: none), replaced by this frame's. */
  gboolean (*relight) (FbBackend * backend, FbFaceBuffers * face,
      const FbFacePlan * plan, uint32_t * level_ratio);
  /* This frame's choices and output become the previous frame's; a debug view then
   * replaces what compositing shows. */
  gboolean (*finish) (FbBackend * backend, FbFaceBuffers * face, const FbFacePlan * plan);
  /* Blends the face's output (or its debug view) over plan->patch of the frame. */
  gboolean (*composite) (FbBackend * backend, FbFaceBuffers * face,
      const FbFacePlan * plan, FbFrame * frame);
  /* The landmarks debug view: a dot on each landmark (frame pixels). */
  gboolean (*mark_landmarks) (FbBackend * backend, FbFrame * frame,
      const FbLandmarks * lm);
} FbBackendClass;

struct FbBackend {
  const FbBackendClass *klass;
  const char *name;             /* "CPU (2 threads)", "CUDA device 0 (...)" */
  gboolean device_frames;       /* takes frames in FB_MEMORY_CUDA */
  GError *error;
};

/* n_threads <= 0: one per core. */
FbBackend *fb_backend_cpu_new (int n_threads);

/* The GPU: device_id -1 = the first; n_threads as for the CPU, for the stages that
 * still run on the host. NULL with error set where the build has no CUDA backend or
 * there is no driver, no such device, or the kernels do not load. */
FbBackend *fb_backend_cuda_new (int device_id, int n_threads, GError ** error);

void fb_backend_free (FbBackend * backend);
/* The first failure since the last call, or NULL. */
GError *fb_backend_take_error (FbBackend * backend);
void fb_backend_set_error (FbBackend * backend, GError * error);

G_END_DECLS
