/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-tracker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fb-detection-worker.h"
#include "fb-face-motion.h"
#include "fb-one-euro.h"

/* Face width dlib's HOG detector reliably finds (its window is 80 px): detection runs
 * on a copy scaled so that a pass's smallest face becomes this: shrunk for larger
 * faces, or, for smaller ones, enlarged by the detection thread (within
 * FB_FACE_DETECTOR_MAX_PIXELS). */
#define DETECTOR_MIN_FACE 80
/* Faces narrower than this are looked for by small-face passes, on a detection thread
 * of their own and an enlarged copy (at 1080p and min_face_size 48, a 3200 x 1800
 * image: several times a normal pass's time). They take at most SMALL_PASS_SHARE of one
 * core's time, so that a 48 px face in the background costs the frame rate little, and
 * never delay the normal passes, so a large face that appears is found as soon as
 * without them. */
#define SMALL_PASS_FACE 100
#define SMALL_PASS_SHARE 0.25
/* A normal pass counts as having missed only the tracks whose face a detection last saw
 * at least as wide as its smallest face (confirmed_size): the narrower ones it cannot
 * see, and the small-face passes confirm them. Not the track's own width: one left
 * shrinking at the border by a face that slid out would then escape the misses that
 * drop it. */
#define MAX_DETECTIONS FB_DETECTION_WORKER_MAX_FOUND
/* A detection and a track whose boxes overlap this much (intersection over union) are
 * the same face. */
#define SAME_FACE_IOU 0.3f
/* A new face whose box changed by this much (mean absolute grey difference) between
 * the frame its detection looked at and the current one has moved away since. */
#define MOVED_GREY_DIFFERENCE 20.0f
/* Two tracks overlapping this much have converged onto one face. */
#define DUPLICATE_IOU 0.5f
/* A face that this many completed detections in a row did not find is dropped. */
#define MAX_UNCONFIRMED 2
/* Landmarks spanning fewer pixels, or this much longer one way than the other, have
 * collapsed: the predictor lost the face. */
#define MIN_LANDMARK_EXTENT 8.0f
#define MAX_LANDMARK_ASPECT 4.0f
/* A face whose landmark box lies less than this fraction inside the frame has left. */
#define MIN_INSIDE_FRACTION 0.5f
/* A face this much smaller than when a detection last saw it has collapsed: what the
 * predictor does when a face slides out of the frame. */
#define MIN_SIZE_RATIO 0.6f
/* One-Euro settings: smoothing 0..1 moves the still cutoff geometrically from
 * CUTOFF_AT_0 down to CUTOFF_AT_1; the cutoff rises by SPEED_GAIN Hz per face width per
 * second of motion, so the smoothing holds for any face size. */
#define CUTOFF_AT_0 30.0f
#define CUTOFF_AT_1 0.003f
#define SPEED_GAIN 20.0f
#define SPEED_CUTOFF 1.0f
/* A landmark's motion beyond where it was carried, in face widths per second, that is
 * taken for the fit's jitter rather than a change of expression. The jaw's points are
 * carried by the face's motion alone and the face's outline follows them, so their
 * dead band is small: about three times what sensor noise gives a still face's points
 * after the speed's own smoothing. The other points are carried with the skin around
 * them, which follows the face more steadily than the fits do: on target1 a band 4
 * times the jaw's keeps the texture on the face better (drift while moving -8 to
 * -12 %), the points staying about 1 % of the face width from the fits (0.5 % before). */
#define JAW_DEAD_SPEED 0.15f
#define DEAD_SPEED 0.6f
/* A blink closes the eyelids in a frame or two and opens them again within a fifth of
 * a second: the speed estimate of SPEED_CUTOFF (1 Hz) rose only after it, so the
 * smoothed eyes closed a third as far as the fits (a synthetic blink on the
 * astronaut, /tracker/blink-followed) and stayed 1.2 px less open for seconds after. A
 * speed estimate of 8 Hz for the lids' points lets a blink through within a frame,
 * while the dead band still takes a still face's jitter for what it is. */
#define LID_SPEED_CUTOFF 8.0f

/* The two kinds of detection, each on its own worker. */
enum
{
  NORMAL_PASS,                  /* faces from MAX (min_face_size, SMALL_PASS_FACE) up */
  SMALL_PASS,                   /* faces from min_face_size up, when below SMALL_PASS_FACE */
  N_PASSES
};

typedef struct {
  guint id;
  FbLandmarks raw;              /* the last fit, unsmoothed: the next fit starts from it */
  FbLandmarks smoothed;
  FbRect fit_box;               /* where the next fit starts, in detector-box terms */
  int confirmed_size;           /* its box's width when a detection last saw the face */
  FbOneEuroFace filter;
  FbFacePatch patch;            /* the last frame around the smoothed landmarks */
  int unconfirmed;              /* completed detections in a row that missed this face */
  /* per pass: the track existed when the pending detection's frame was taken, and its
   * fit_box in that frame */
  gboolean awaits_detection[N_PASSES];
  FbRect detection_box[N_PASSES];
} Track;

typedef struct {
  FbDetectionWorker *worker;
  float scale_x;                /* image / frame */
  float scale_y;
  /* the smallest face (frame pixels) it can find, when larger than the smallest that
   * is looked for (a normal pass while small-face passes find the others), else 0 */
  int partial_min_face;
  int frames_since_request;
  gint64 run_us;                /* CPU time its last detection took */
  gint64 taken_us;              /* monotonic time its last result was taken, 0: never */
} Pass;

struct FbTracker
{
  const FbShapeModel *model;
  Track *tracks;                /* FB_TRACKER_MAX_FACES, sorted by id */
  int n_tracks;
  guint next_id;
  int width;                    /* of the frames being tracked */
  int height;
  gboolean detect_now;          /* the next frame detects synchronously */
  gboolean reset;               /* and drops what detections from before found */
  /* FACEBLIT_SYNCHRONOUS_DETECTION: every detection finishes before the frame that
   * asked for it returns, so that a run repeats bit for bit (tests, comparisons) */
  gboolean synchronous;
  Pass passes[N_PASSES];
  gint64 request_time;          /* timestamp of the frame the last normal pass looks at */
  gint64 previous_time;         /* timestamp of the previous frame */
  int stretch;                  /* detect_interval multiplier, 1 .. FB_TRACKER_MAX_STRETCH */
  gboolean steady;              /* no track was lost since the last normal request */
  guint n_detections;
  int *column_bounds;           /* downscaling: source columns of each work column */
  float *column_weights;        /* downscaling: 1 / how many source columns each has */
  int work_columns;             /* the two above have room for this many */
  guint32 *column_sums;         /* downscaling: prefix sums of a source row band */
  int source_columns;           /* column_sums has room for this many + 1 */
};

G_DEFINE_QUARK (fb-tracker-error-quark, fb_tracker_error);

FbTracker *
fb_tracker_new (const FbShapeModel * model, GError ** error)
{
  static const char *const thread_names[N_PASSES] = { "faceblit-detect",
    "faceblit-detect-s"
  };
  FbTracker *tracker;
  int k;

  g_return_val_if_fail (model != NULL, NULL);

  tracker = g_new0 (FbTracker, 1);
  tracker->model = model;
  tracker->tracks = g_new0 (Track, FB_TRACKER_MAX_FACES);
  tracker->next_id = 1;
  tracker->detect_now = TRUE;
  tracker->synchronous = g_strcmp0 (g_getenv ("FACEBLIT_SYNCHRONOUS_DETECTION"), "1") == 0;
  tracker->stretch = 1;
  for (k = 0; k < N_PASSES; k++) {
    tracker->passes[k].worker = fb_detection_worker_new (thread_names[k], error);
    if (!tracker->passes[k].worker) {
      fb_tracker_free (tracker);
      return NULL;
    }
  }
  return tracker;
}

static void remove_track (FbTracker * tracker, int index);

void
fb_tracker_free (FbTracker * tracker)
{
  int k;

  if (!tracker)
    return;
  fb_tracker_reset (tracker);
  for (k = 0; k < N_PASSES; k++)
    fb_detection_worker_free (tracker->passes[k].worker);
  g_free (tracker->column_bounds);
  g_free (tracker->column_weights);
  g_free (tracker->column_sums);
  g_free (tracker->tracks);
  g_free (tracker);
}

/* A detection still running now is discarded by the next frame's synchronous one,
 * which has to wait for the detection threads anyway. */
void
fb_tracker_reset (FbTracker * tracker)
{
  g_return_if_fail (tracker != NULL);

  while (tracker->n_tracks > 0)
    remove_track (tracker, tracker->n_tracks - 1);
  tracker->detect_now = TRUE;
  tracker->reset = TRUE;
  tracker->passes[NORMAL_PASS].frames_since_request = 0;
}

guint
fb_tracker_get_n_detections (const FbTracker * tracker)
{
  g_return_val_if_fail (tracker != NULL, 0);

  return tracker->n_detections;
}

static float
rect_iou (FbRect a, FbRect b)
{
  FbRect i = fb_rect_intersect (a, b);
  double inter = (double) i.width * i.height;
  double uni = (double) a.width * a.height + (double) b.width * b.height - inter;

  return uni > 0 ? (float) (inter / uni) : 0.0f;
}

/* Area-averages the frame into work (no larger than the frame). It runs in the caller's
 * thread on every detection request, so no division and no loop of varying length per
 * pixel: the source rows of a work row are summed column by column, and prefix sums of
 * that give any run of columns with one subtraction. */
static void
downscale_into (FbTracker * tracker, const FbImage * grey, FbImage * work)
{
  /* locals, which stores into sums cannot alias, keep the loops vectorised */
  const int width = grey->width, height = grey->height, w = work->width, h = work->height;
  const int *bounds;
  const float *weights;
  guint32 *sums;
  int x, y;

  if (w == width && h == height) {
    for (y = 0; y < h; y++)
      memcpy (fb_image_row (work, y), fb_image_row (grey, y), w);
    return;
  }

  if (tracker->work_columns < w) {
    tracker->work_columns = w;
    tracker->column_bounds = g_renew (int, tracker->column_bounds, w + 1);
    tracker->column_weights = g_renew (float, tracker->column_weights, w);
  }
  if (tracker->source_columns < width) {
    tracker->source_columns = width;
    tracker->column_sums = g_renew (guint32, tracker->column_sums, width + 1);
  }
  /* work column x averages source columns column_bounds[x] .. column_bounds[x + 1] */
  for (x = 0; x <= w; x++)
    tracker->column_bounds[x] = (int) ((gint64) x * width / w);
  for (x = 0; x < w; x++)
    tracker->column_weights[x] = 1.0f / (tracker->column_bounds[x + 1]
        - tracker->column_bounds[x]);
  bounds = tracker->column_bounds;
  weights = tracker->column_weights;
  /* sums[i + 1] - sums[j] is the band's sum over source columns j .. i */
  sums = tracker->column_sums;
  sums[0] = 0;

  for (y = 0; y < h; y++) {
    int y0 = (int) ((gint64) y * height / h);
    int y1 = (int) ((gint64) (y + 1) * height / h);
    const uint8_t *row = fb_image_row (grey, y0);
    uint8_t *out = fb_image_row (work, y);
    float row_weight = 1.0f / (y1 - y0);
    guint32 total;
    int sy;

    for (x = 0; x < width; x++)
      sums[x + 1] = row[x];
    for (sy = y0 + 1; sy < y1; sy++) {
      row = fb_image_row (grey, sy);
      for (x = 0; x < width; x++)
        sums[x + 1] += row[x];
    }
    for (x = 1, total = 0; x <= width; x++)
      sums[x] = total += sums[x];
    /* sums stay below 2^24 (at most ~150 x 150 pixels a work pixel), exact in floats */
    for (x = 0; x < w; x++)
      out[x] = (uint8_t) ((float) (sums[bounds[x + 1]] - sums[bounds[x]])
          * (row_weight * weights[x]) + 0.5f);
  }
}

/* Hands a copy of the frame, scaled for pass k's smallest face, to its worker, which
 * must be idle, and notes where each track is in it for matching the result. */
static void
request_detection (FbTracker * tracker, int k, const FbImage * grey, gint64 timestamp_ns,
    int min_face_size)
{
  Pass *pass = &tracker->passes[k];
  const int min_face = k == SMALL_PASS ? MAX (min_face_size, 1)
      : MAX (min_face_size, SMALL_PASS_FACE);
  const float scale = (float) DETECTOR_MIN_FACE / min_face;
  const float shrink = MIN (1.0f, scale);
  int w = MAX (1, (int) lroundf (grey->width * shrink));
  int h = MAX (1, (int) lroundf (grey->height * shrink));
  FbImage *image = fb_detection_worker_image (pass->worker, w, h);
  int i;

  downscale_into (tracker, grey, image);
  pass->scale_x = (float) w / grey->width;
  pass->scale_y = (float) h / grey->height;
  pass->partial_min_face = min_face > min_face_size ? min_face : 0;
  pass->frames_since_request = 0;
  for (i = 0; i < tracker->n_tracks; i++) {
    tracker->tracks[i].awaits_detection[k] = TRUE;
    tracker->tracks[i].detection_box[k] = tracker->tracks[i].fit_box;
  }
  if (k == NORMAL_PASS) {
    tracker->request_time = timestamp_ns;
    tracker->steady = TRUE;
  }
  tracker->n_detections++;
  /* enlarging, which costs tens of ms, is the detection thread's job; a result not
   * merged yet (after a reset, one from before it) is dropped */
  fb_detection_worker_start (pass->worker, MAX (scale, 1.0f));
}

/* Whether a small-face pass should start: one is wanted, its worker is idle, and this
 * is the first frame since a start or reset, or since the last one ended it has rested
 * three times the CPU time that took (SMALL_PASS_SHARE); in synchronous runs, which must
 * repeat whatever the machine's speed, one follows every normal pass instead. */
static gboolean
small_pass_due (FbTracker * tracker, int min_face_size, gboolean started,
    gboolean normal_started)
{
  const Pass *pass = &tracker->passes[SMALL_PASS];

  if (min_face_size >= SMALL_PASS_FACE || fb_detection_worker_busy (pass->worker))
    return FALSE;
  if (tracker->synchronous || started)
    return started || normal_started;
  return pass->taken_us == 0 || g_get_monotonic_time () - pass->taken_us
      >= (gint64) (pass->run_us * (1 / SMALL_PASS_SHARE - 1));
}

void
fb_tracker_wait_for_detection (FbTracker * tracker)
{
  int k;

  g_return_if_fail (tracker != NULL);

  for (k = 0; k < N_PASSES; k++)
    fb_detection_worker_wait (tracker->passes[k].worker);
}

/* Takes pass k's finished detection into `out`, in frame coordinates; returns how many
 * faces it found, or -1 when there is none to take. */
static int
take_detection (FbTracker * tracker, int k, FbDetection * out)
{
  Pass *pass = &tracker->passes[k];
  gint64 run_us;
  int i, n = fb_detection_worker_take (pass->worker, out, &run_us);

  if (n < 0)
    return n;
  pass->run_us = run_us;
  pass->taken_us = g_get_monotonic_time ();
  for (i = 0; i < n; i++) {
    FbRect *b = &out[i].box;
    float x0 = b->x / pass->scale_x, y0 = b->y / pass->scale_y;
    float x1 = (b->x + b->width) / pass->scale_x;
    float y1 = (b->y + b->height) / pass->scale_y;
    b->x = (int) lroundf (x0);
    b->y = (int) lroundf (y0);
    b->width = (int) lroundf (x1) - b->x;
    b->height = (int) lroundf (y1) - b->y;
  }
  return n;
}

/* A lost face may have been replaced by another: detection goes back to its normal
 * interval. */
static void
remove_track (FbTracker * tracker, int index)
{
  tracker->stretch = 1;
  tracker->steady = FALSE;
  fb_face_patch_clear (&tracker->tracks[index].patch);
  memmove (tracker->tracks + index, tracker->tracks + index + 1,
      (tracker->n_tracks - index - 1) * sizeof (Track));
  tracker->n_tracks--;
  /* the slot left over holds a copy of the last track's patch pointer */
  memset (&tracker->tracks[tracker->n_tracks], 0, sizeof (Track));
}

/* Whether landmarks still describe a face inside the frame. */
static gboolean
landmarks_plausible (const FbLandmarks * lm, int width, int height)
{
  float x0, y0, x1, y1, w, h, inside_w, inside_h;

  fb_landmarks_bounds (lm, &x0, &y0, &x1, &y1);
  w = x1 - x0;
  h = y1 - y0;
  if (!(w >= MIN_LANDMARK_EXTENT && h >= MIN_LANDMARK_EXTENT)
      || w > MAX_LANDMARK_ASPECT * h || h > MAX_LANDMARK_ASPECT * w)
    return FALSE;
  inside_w = MIN (x1, (float) width) - MAX (x0, 0.0f);
  inside_h = MIN (y1, (float) height) - MAX (y0, 0.0f);
  return inside_w > 0 && inside_h > 0
      && inside_w * inside_h >= MIN_INSIDE_FRACTION * w * h;
}

/* Fits the landmarks in `box` and derives the box for the next fit from them. */
static gboolean
fit_landmarks (FbTracker * tracker, const FbImage * grey, FbRect box, FbLandmarks * lm,
    FbRect * next_box)
{
  return fb_shape_model_fit (tracker->model, grey->data, grey->width, grey->height,
      grey->stride, box, lm->points) == 0
      && fb_shape_model_box_for_points (tracker->model, lm->points, next_box) == 0
      && landmarks_plausible (lm, grey->width, grey->height);
}

/* Starts a track on a detected box (possibly from a few frames ago). */
static void
start_track (FbTracker * tracker, const FbImage * grey, FbRect box)
{
  Track *track = &tracker->tracks[tracker->n_tracks];
  int i;

  /* The second fit starts from the first one's landmarks, in the current frame,
   * which corrects a detection box that the face has moved away from since. */
  if (!fit_landmarks (tracker, grey, box, &track->raw, &box)
      || !fit_landmarks (tracker, grey, box, &track->raw, &track->fit_box))
    return;
  /* a face found frames ago that moved onto a tracked one's place since (the two
   * passes' detections of one face, from frames apart) is that face */
  for (i = 0; i < tracker->n_tracks; i++)
    if (rect_iou (tracker->tracks[i].fit_box, track->fit_box) >= SAME_FACE_IOU)
      return;
  track->id = tracker->next_id++;
  track->confirmed_size = track->fit_box.width;
  track->smoothed = track->raw;
  track->unconfirmed = 0;
  memset (track->awaits_detection, 0, sizeof track->awaits_detection);
  fb_one_euro_face_reset (&track->filter);
  tracker->n_tracks++;
}

/* Whether the picture in `box` (frame pixels) differs much between the frame that
 * pass's finished detection looked at (its image, scaled) and `grey`: a face found
 * there may have moved away, and fits started from its box would follow whatever is
 * left there. */
static gboolean
moved_since_detection (const Pass * pass, const FbImage * grey, FbRect box)
{
  const FbImage *work = fb_detection_worker_last_image (pass->worker);
  FbRect frame = { 0, 0, grey->width, grey->height };
  FbRect inside = fb_rect_intersect (box, frame);
  int x0 = (int) (inside.x * pass->scale_x);
  int y0 = (int) (inside.y * pass->scale_y);
  int x1 = MIN ((int) ((inside.x + inside.width) * pass->scale_x), work->width);
  int y1 = MIN ((int) ((inside.y + inside.height) * pass->scale_y), work->height);
  double sum = 0;
  int x, y;

  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  for (y = y0; y < y1; y++) {
    const uint8_t *then = fb_image_row (work, y);
    const uint8_t *now = fb_image_row (grey, MIN ((int) ((y + 0.5f) / pass->scale_y),
            grey->height - 1));
    for (x = x0; x < x1; x++)
      sum += abs (then[x] - now[MIN ((int) ((x + 0.5f) / pass->scale_x),
                  grey->width - 1)]);
  }
  return sum > MOVED_GREY_DIFFERENCE * (x1 - x0) * (y1 - y0);
}

/* Merges pass k's finished detection: confirms the tracks it found, drops those it
 * missed too often, and starts tracks on confident new faces. A normal pass stretches
 * the detection interval when it changed nothing, and resets it otherwise; a small-face
 * pass resets it when it changed something. */
static void
merge_detection (FbTracker * tracker, int k, const FbImage * grey,
    const FbDetection * found, int n_found, int max_faces)
{
  const Pass *pass = &tracker->passes[k];
  gboolean used[MAX_DETECTIONS] = { FALSE };
  gboolean confirmed[FB_TRACKER_MAX_FACES] = { FALSE };
  int confirmed_by[FB_TRACKER_MAX_FACES];
  gboolean changed = k == NORMAL_PASS && !tracker->steady;
  int d, i;

  for (d = 0; d < n_found; d++) {
    int best = -1;
    float best_iou = SAME_FACE_IOU;
    for (i = 0; i < tracker->n_tracks; i++) {
      float iou;
      if (!tracker->tracks[i].awaits_detection[k] || confirmed[i])
        continue;
      iou = rect_iou (found[d].box, tracker->tracks[i].detection_box[k]);
      if (iou >= best_iou) {
        best_iou = iou;
        best = i;
      }
    }
    if (best >= 0) {
      confirmed[best] = used[d] = TRUE;
      confirmed_by[best] = d;
    }
  }

  for (i = tracker->n_tracks - 1; i >= 0; i--) {
    Track *track = &tracker->tracks[i];
    if (!track->awaits_detection[k])
      continue;
    track->awaits_detection[k] = FALSE;
    if (!confirmed[i]
        && track->confirmed_size < pass->partial_min_face)
      continue;
    changed |= !confirmed[i];
    track->unconfirmed = confirmed[i] ? 0 : track->unconfirmed + 1;
    /* the size the detector saw: a track that shrank around what is left of a face
     * sliding out of the frame is confirmed by the face's box, and then found to have
     * collapsed (update_tracks), rather than confirmed at its own size */
    if (confirmed[i])
      track->confirmed_size = found[confirmed_by[i]].box.width;
    else if (track->unconfirmed >= MAX_UNCONFIRMED)
      remove_track (tracker, i);
  }

  for (d = 0; d < n_found && tracker->n_tracks < max_faces; d++) {
    gboolean known = FALSE;
    if (used[d] || found[d].score < FB_FACE_DETECTION_CONFIDENT_SCORE)
      continue;
    for (i = 0; i < tracker->n_tracks && !known; i++)
      known = rect_iou (found[d].box, tracker->tracks[i].fit_box) >= SAME_FACE_IOU;
    if (known)
      continue;
    changed = TRUE;
    /* a detection frames ago: its face, moved since, is looked for again, at once, in
     * the next frame (by the next small-face pass, if only that one can see it) */
    if (pass->frames_since_request > 0 && moved_since_detection (pass, grey, found[d].box)) {
      if (k == NORMAL_PASS)
        tracker->detect_now = TRUE;
    } else {
      start_track (tracker, grey, found[d].box);
    }
  }

  /* Without a face to stylize, frames are cheap: detecting at the normal rate then
   * slows nothing down, and the first face shows up soonest. */
  if (changed || tracker->n_tracks == 0)
    tracker->stretch = 1;
  else if (k == NORMAL_PASS)
    tracker->stretch = MIN (tracker->stretch * 2, FB_TRACKER_MAX_STRETCH);
}

/* Re-fits every track in the new frame; drops those that lost their face. */
static void
update_tracks (FbTracker * tracker, const FbImage * grey)
{
  int i, j;

  for (i = tracker->n_tracks - 1; i >= 0; i--) {
    Track *track = &tracker->tracks[i];
    if (!fit_landmarks (tracker, grey, track->fit_box, &track->raw, &track->fit_box)
        || track->fit_box.width < MIN_SIZE_RATIO * track->confirmed_size)
      remove_track (tracker, i);
  }
  /* the younger of two tracks that converged onto one face goes */
  for (i = 0; i < tracker->n_tracks; i++)
    for (j = tracker->n_tracks - 1; j > i; j--)
      if (rect_iou (tracker->tracks[i].fit_box, tracker->tracks[j].fit_box)
          > DUPLICATE_IOU)
        remove_track (tracker, j);
}

/* Smooths the track's new fit in grey, carried by the face's motion since the last
 * frame as the images measure it, or else as the fit does. */
static void
smooth_track (Track * track, const FbImage * grey, float smoothing, double seconds)
{
  FbSimilarity motion;
  FbLandmarks carried = track->raw;
  FbOneEuroParams params;
  float face_width;

  if (smoothing <= 0) {
    track->smoothed = track->raw;
    fb_one_euro_face_reset (&track->filter);
    fb_face_patch_clear (&track->patch);
    return;
  }
  if (track->filter.started) {
    motion = fb_landmarks_align (&track->smoothed, &track->raw);
    fb_face_motion_refine (&track->patch, grey, &motion);
    fb_face_motion_carry (&track->patch, grey, motion, &track->smoothed, &carried);
  }
  face_width = MAX (fb_landmarks_face_width (&track->raw), 1.0f);
  params.min_cutoff = CUTOFF_AT_0 * powf (CUTOFF_AT_1 / CUTOFF_AT_0, MIN (smoothing, 1));
  params.beta = SPEED_GAIN / face_width;
  params.d_cutoff = SPEED_CUTOFF;
  params.lid_d_cutoff = LID_SPEED_CUTOFF;
  params.dead_speed = DEAD_SPEED * face_width;
  params.jaw_dead_speed = JAW_DEAD_SPEED * face_width;
  fb_one_euro_face_filter (&track->filter, &params, &track->raw, &carried, seconds,
      &track->smoothed);
  fb_face_patch_take (&track->patch, grey, &track->smoothed);
}

static FbRect
clipped_bounds (const FbLandmarks * lm, int width, int height)
{
  float x0, y0, x1, y1;
  FbRect box, frame = { 0, 0, width, height };

  fb_landmarks_bounds (lm, &x0, &y0, &x1, &y1);
  x0 = CLAMP (floorf (x0), 0, width);
  y0 = CLAMP (floorf (y0), 0, height);
  x1 = CLAMP (ceilf (x1), 0, width);
  y1 = CLAMP (ceilf (y1), 0, height);
  box.x = (int) x0;
  box.y = (int) y0;
  box.width = (int) x1 - box.x;
  box.height = (int) y1 - box.y;
  return fb_rect_intersect (box, frame);
}

/* FB_TRACKER_AUTO_MIN_FACE's smallest face, and the frame up to which it holds. */
#define AUTO_MIN_FACE 48
#define AUTO_MIN_FACE_PIXELS (1920.0 * 1080.0)

int
fb_tracker_min_face_size (int min_face_size, int width, int height)
{
  double pixels = (double) width * height;

  if (min_face_size != FB_TRACKER_AUTO_MIN_FACE)
    return MAX (min_face_size, FB_TRACKER_MIN_FACE_SIZE);
  if (pixels <= AUTO_MIN_FACE_PIXELS)
    return AUTO_MIN_FACE;
  return (int) lround (AUTO_MIN_FACE * sqrt (pixels / AUTO_MIN_FACE_PIXELS));
}

/* Whether the detection interval, stretched, has passed since the last normal pass. */
static gboolean
detection_due (FbTracker * tracker, int interval, gint64 timestamp_ns)
{
  gint64 frame_ns = MAX (timestamp_ns - tracker->previous_time, 0);
  int frames = tracker->passes[NORMAL_PASS].frames_since_request;

  if (frames < interval)
    return FALSE;
  /* stretched, it ends on the last frame before FB_TRACKER_MAX_STRETCHED_NS have
   * passed (timestamp_ns + frame_ns estimates the next frame's) */
  return frames >= interval * tracker->stretch
      || timestamp_ns + frame_ns - tracker->request_time > FB_TRACKER_MAX_STRETCHED_NS;
}

int
fb_tracker_process (FbTracker * tracker, const FbImage * grey, gint64 timestamp_ns,
    const FbTrackerParams * params, FbTrackedFace * out, int max_out)
{
  FbDetectionWorker *normal = tracker->passes[NORMAL_PASS].worker;
  FbDetection found[MAX_DETECTIONS];
  int max_faces, interval, min_face, n_found, i, k, n_out;
  gboolean started, normal_started = FALSE;

  g_return_val_if_fail (tracker != NULL && grey != NULL && params != NULL, 0);
  g_return_val_if_fail (grey->channels == 1, 0);

  max_faces = CLAMP (params->max_faces, 0, FB_TRACKER_MAX_FACES);
  interval = MAX (params->detect_interval, 1);
  min_face = fb_tracker_min_face_size (params->min_face_size, grey->width, grey->height);
  if (grey->width != tracker->width || grey->height != tracker->height) {
    fb_tracker_reset (tracker);
    tracker->width = grey->width;
    tracker->height = grey->height;
  }

  for (k = 0; k < N_PASSES; k++)
    tracker->passes[k].frames_since_request++;
  update_tracks (tracker, grey);

  started = tracker->detect_now;
  if (tracker->detect_now) {
    /* detections still running from before a reset are waited for, and their
     * results dropped (the normal one's by the new request) */
    tracker->detect_now = FALSE;
    fb_tracker_wait_for_detection (tracker);
    if (tracker->reset)
      (void) take_detection (tracker, SMALL_PASS, found);
    tracker->reset = FALSE;
    request_detection (tracker, NORMAL_PASS, grey, timestamp_ns, min_face);
    fb_detection_worker_wait (normal);
  }
  /* Without a face to follow, frames cost little: a stream that runs faster than real
   * time (a file transcoded as fast as the machine goes) would leave the detection
   * thread behind by tens of frames, and a face that appears or comes back would wait
   * for it. So the frame at which the next normal pass is due waits for the pending
   * one: then its result is at most detect_interval frames old. (Small-face passes are
   * not waited for: they take several times as long.) */
  if (tracker->n_tracks == 0
      && tracker->passes[NORMAL_PASS].frames_since_request >= interval)
    fb_detection_worker_wait (normal);
  for (k = 0; k < N_PASSES; k++) {
    n_found = take_detection (tracker, k, found);
    if (n_found >= 0)
      merge_detection (tracker, k, grey, found, n_found, max_faces);
  }

  while (tracker->n_tracks > max_faces)
    remove_track (tracker, tracker->n_tracks - 1);

  if (detection_due (tracker, interval, timestamp_ns) && !fb_detection_worker_busy (normal)) {
    request_detection (tracker, NORMAL_PASS, grey, timestamp_ns, min_face);
    normal_started = TRUE;
    if (tracker->synchronous)
      fb_detection_worker_wait (normal);
  }
  /* the first one right after the first normal pass: the small faces of a stream's
   * first frame are then found a frame later, not a detection interval */
  if (small_pass_due (tracker, min_face, started, normal_started)) {
    request_detection (tracker, SMALL_PASS, grey, timestamp_ns, min_face);
    if (tracker->synchronous)
      fb_detection_worker_wait (tracker->passes[SMALL_PASS].worker);
  }
  tracker->previous_time = timestamp_ns;

  n_out = MIN (tracker->n_tracks, max_out);
  for (i = 0; i < tracker->n_tracks; i++) {
    Track *track = &tracker->tracks[i];
    smooth_track (track, grey, params->smoothing, timestamp_ns / 1e9);
    if (i < n_out) {
      out[i].id = track->id;
      out[i].landmarks = track->smoothed;
      out[i].box = clipped_bounds (&track->smoothed, grey->width, grey->height);
    }
  }
  return n_out;
}
