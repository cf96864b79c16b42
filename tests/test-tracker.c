/* Tests of face tracking on a rendered, moving astronaut, and of the One-Euro filter.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fb-dlib.h"
#include "fb-face-motion.h"
#include "fb-image-io.h"
#include "fb-one-euro.h"
#include "fb-synth.h"
#include "fb-test-helpers.h"
#include "fb-tracker.h"

#define FRAME_NS 33333333

static const FbShapeModel *model;
static const FbImage *astronaut;

typedef struct {
  float cx;
  float cy;
  float scale;
  float angle;
} Pose;

/* The model and the astronaut; FALSE (and the test skipped) without them. */
static gboolean
load_data (void)
{
  return fb_test_face_data (&model, &astronaut);
}

static FbImage *
render_grey (int width, int height, Pose pose)
{
  g_autoptr (FbImage) rgb = fb_synth_face_frame (astronaut, width, height, 3,
      pose.cx, pose.cy, pose.scale, pose.angle);
  FbImage *grey = fb_image_new (width, height, 1);

  fb_image_rgb_to_luma (rgb, grey);
  return grey;
}

static FbImage *
blank_grey (int width, int height)
{
  FbImage *grey = fb_image_new (width, height, 1);

  memset (grey->data, 110, (size_t) grey->stride * height);
  return grey;
}

/* Where fb_synth_face_frame puts a point of the astronaut image. */
static FbSimilarity
astronaut_to_frame (Pose pose)
{
  float a = pose.scale * cosf (pose.angle), b = pose.scale * sinf (pose.angle);
  float fx = astronaut->width / 2.0f, fy = astronaut->height / 2.0f;
  FbSimilarity s = { a, b, pose.cx - (a * fx - b * fy), pose.cy - (b * fx + a * fy) };

  return s;
}

static void
default_params (FbTrackerParams * params)
{
  params->max_faces = 4;
  params->min_face_size = 100;
  params->detect_interval = 5;
  params->smoothing = 0;
}

static void
assert_face_inside (const FbTrackedFace * face, int width, int height)
{
  int i;

  g_assert_cmpint (face->box.x, >=, 0);
  g_assert_cmpint (face->box.y, >=, 0);
  g_assert_cmpint (face->box.width, >, 0);
  g_assert_cmpint (face->box.height, >, 0);
  g_assert_cmpint (face->box.x + face->box.width, <=, width);
  g_assert_cmpint (face->box.y + face->box.height, <=, height);
  for (i = 0; i < FB_N_LANDMARKS; i++)
    g_assert_true (isfinite (face->landmarks.points[i].x)
        && isfinite (face->landmarks.points[i].y));
}

static Pose
moving_pose (int frame)
{
  float phase = 2 * G_PI * frame / 60.0f;
  Pose pose = { 320 + 50 * sinf (phase), 330 + 20 * sinf (2 * phase),
    1.4f + 0.25f * sinf (phase + 1), 0.12f * sinf (phase) };

  return pose;
}

/* Follows a face along a known motion, raw and smoothed: landmarks transformed from
 * frame 0 by that motion are the truth to compare with. */
static void
test_known_motion (void)
{
  const int width = 640, height = 480, n_frames = 60;
  /* raw, and the element's default */
  const float smoothing[2] = { 0, 0.7f };
  FbTracker *trackers[2];
  FbTrackerParams params;
  FbTrackedFace faces[4];
  FbLandmarks first[2], expected;
  FbSimilarity first_inverse = { 1, 0, 0, 0 };
  GError *error = NULL;
  float error_sum[2] = { 0, 0 }, error_max[2] = { 0, 0 };
  guint ids[2] = { 0, 0 };
  int k, i, j;

  if (!load_data ())
    return;
  default_params (&params);
  for (j = 0; j < 2; j++) {
    trackers[j] = fb_tracker_new (model, &error);
    g_assert_no_error (error);
  }

  for (k = 0; k < n_frames; k++) {
    Pose pose = moving_pose (k);
    g_autoptr (FbImage) grey = render_grey (width, height, pose);
    FbSimilarity motion = astronaut_to_frame (pose);

    if (k == 0)
      first_inverse = fb_similarity_invert (motion);
    for (j = 0; j < 2; j++) {
      float e;
      params.smoothing = smoothing[j];
      g_assert_cmpint (fb_tracker_process (trackers[j], grey, (gint64) k * FRAME_NS,
              &params, faces, 4), ==, 1);
      assert_face_inside (&faces[0], width, height);
      if (k == 0) {
        first[j] = faces[0].landmarks;
        ids[j] = faces[0].id;
        continue;
      }
      g_assert_cmpuint (faces[0].id, ==, ids[j]);
      for (i = 0; i < FB_N_LANDMARKS; i++)
        expected.points[i] = fb_similarity_apply (motion,
            fb_similarity_apply (first_inverse, first[j].points[i]));
      e = fb_test_landmarks_distance (&faces[0].landmarks, &expected);
      error_sum[j] += e;
      error_max[j] = MAX (error_max[j], e);
    }
  }
  for (j = 0; j < 2; j++) {
    g_test_message ("smoothing %.2f: landmark error mean %.2f px, worst frame %.2f px "
        "(face about 130 px wide)", smoothing[j], error_sum[j] / (n_frames - 1),
        error_max[j]);
    g_assert_cmpfloat (error_sum[j] / (n_frames - 1), <, 4.0f);
    g_assert_cmpfloat (error_max[j], <, 8.0f);
    fb_tracker_free (trackers[j]);
  }
}

/* Feeds `image` at 30 frames per second until the tracker reports `n_wanted` faces;
 * returns how many frames that took, or -1 when it did not happen within 10 s (a
 * detection takes 30 ms here, but far longer on a loaded machine or under sanitizers). */
static int
frames_until (FbTracker * tracker, const FbImage * image, const FbTrackerParams * params,
    gint64 * t, int n_wanted)
{
  gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  FbTrackedFace faces[4];
  int k;

  for (k = 0; g_get_monotonic_time () < give_up; k++) {
    if (fb_tracker_process (tracker, image, *t += FRAME_NS, params, faces, 4) == n_wanted)
      return k;
    g_usleep (FRAME_NS / 1000);
  }
  return -1;
}

static void
test_no_face_and_lost_face (void)
{
  const int width = 640, height = 480;
  Pose pose = { 320, 330, 1.4f, 0 };
  g_autoptr (FbImage) face = NULL;
  g_autoptr (FbImage) blank = blank_grey (width, height);
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  GError *error = NULL;
  gint64 t = 0;
  int k, found_after, lost_after;

  if (!load_data ())
    return;
  face = render_grey (width, height, pose);
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);

  for (k = 0; k < 5; k++)
    g_assert_cmpint (fb_tracker_process (tracker, blank, t += FRAME_NS, &params, faces,
            4), ==, 0);
  /* a face that appears later is found by a following detection */
  found_after = frames_until (tracker, face, &params, &t, 1);
  g_assert_cmpint (found_after, >=, 0);
  for (k = 0; k < 5; k++)
    g_assert_cmpint (fb_tracker_process (tracker, face, t += FRAME_NS, &params, faces, 4),
        ==, 1);
  /* and one that is gone is dropped after two detections missed it */
  lost_after = frames_until (tracker, blank, &params, &t, 0);
  g_assert_cmpint (lost_after, >=, 0);
  g_test_message ("at 30 frames per second, detecting every %d frames: a new face "
      "found after %d frames, a lost one dropped after %d", params.detect_interval,
      found_after, lost_after);
  for (k = 0; k < 10; k++)
    g_assert_cmpint (fb_tracker_process (tracker, blank, t += FRAME_NS, &params, faces,
            4), ==, 0);
  fb_tracker_free (tracker);
}

/* Moves the face out over a frame edge. Detection runs only on the first frame, so
 * the face is dropped because its landmarks left the frame, and nothing else. */
static void
move_out_of_frame (float dx, float dy)
{
  const int width = 640, height = 480;
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  GError *error = NULL;
  int k, n = 0, seen = 0;

  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);
  params.detect_interval = 1000;
  for (k = 0; k < 60; k++) {
    Pose pose = { 340 + dx * k, 300 + dy * k, 1.3f, 0 };
    g_autoptr (FbImage) grey = render_grey (width, height, pose);
    n = fb_tracker_process (tracker, grey, (gint64) k * FRAME_NS, &params, faces, 4);
    g_assert_cmpint (n, <=, 1);
    if (n == 1)
      assert_face_inside (&faces[0], width, height);
    seen += n;
  }
  g_test_message ("face moving by (%g, %g) px per frame tracked for %d frames", dx, dy,
      seen);
  g_assert_cmpint (seen, >=, 15);
  g_assert_cmpint (n, ==, 0);
  fb_tracker_free (tracker);
}

static void
test_face_leaves_the_frame (void)
{
  if (!load_data ())
    return;
  move_out_of_frame (8, 0);
  move_out_of_frame (-6, -5);
}

static void
test_reset_forgets (void)
{
  const int width = 640, height = 480;
  Pose pose = { 320, 330, 1.4f, 0 };
  g_autoptr (FbImage) face = NULL;
  g_autoptr (FbImage) blank = blank_grey (width, height);
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  GError *error = NULL;
  gint64 t = 0;
  guint first_id;
  int k;

  if (!load_data ())
    return;
  face = render_grey (width, height, pose);
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);
  /* a detection of the face is running whenever the tracker is reset */
  params.detect_interval = 1;
  for (k = 0; k < 5; k++)
    g_assert_cmpint (fb_tracker_process (tracker, face, t += FRAME_NS, &params, faces, 4),
        ==, 1);
  first_id = faces[0].id;

  /* what the running detection found must not come back after the reset */
  fb_tracker_reset (tracker);
  for (k = 0; k < 20; k++) {
    g_assert_cmpint (fb_tracker_process (tracker, blank, t += FRAME_NS, &params, faces,
            4), ==, 0);
    g_usleep (5000);
  }

  /* a reset while the face is in view finds it again at once, as a new face */
  fb_tracker_reset (tracker);
  g_assert_cmpint (fb_tracker_process (tracker, face, t += FRAME_NS, &params, faces, 4),
      ==, 1);
  g_assert_cmpuint (faces[0].id, >, first_id);
  fb_tracker_free (tracker);
}

/* The left face of render_two_faces; rendered alone, the only face in the frame. */
static Pose
left_pose (float shift)
{
  Pose pose = { 170 + shift, 300, 1.0f, 0 };

  return pose;
}

/* Two astronauts side by side: the left half of one frame and the right of another. */
static FbImage *
render_two_faces (int width, int height, float shift)
{
  Pose right = { 500 - shift, 290, 1.1f, 0.05f };
  FbImage *grey = render_grey (width, height, left_pose (shift));
  g_autoptr (FbImage) other = render_grey (width, height, right);
  int y;

  for (y = 0; y < height; y++)
    memcpy (fb_image_row (grey, y) + width / 2, fb_image_row (other, y) + width / 2,
        width - width / 2);
  return grey;
}

static void
test_two_faces (void)
{
  const int width = 640, height = 480;
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  GError *error = NULL;
  guint ids[2] = { 0, 0 };
  int k, n;

  if (!load_data ())
    return;
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);
  for (k = 0; k < 20; k++) {
    g_autoptr (FbImage) grey = render_two_faces (width, height, k);
    n = fb_tracker_process (tracker, grey, (gint64) k * FRAME_NS, &params, faces, 4);
    g_assert_cmpint (n, ==, 2);
    g_assert_cmpuint (faces[0].id, <, faces[1].id);
    if (k == 0) {
      ids[0] = faces[0].id;
      ids[1] = faces[1].id;
    }
    g_assert_cmpuint (faces[0].id, ==, ids[0]);
    g_assert_cmpuint (faces[1].id, ==, ids[1]);
    g_assert_cmpint (abs (faces[0].box.x - faces[1].box.x), >, 150);
    /* the output array is not overrun */
    g_assert_cmpint (fb_tracker_process (tracker, grey, (gint64) k * FRAME_NS + 1,
            &params, faces, 1), ==, 1);
  }

  /* max_faces bounds the tracks, keeping the oldest */
  params.max_faces = 1;
  for (k = 0; k < 5; k++) {
    g_autoptr (FbImage) grey = render_two_faces (width, height, 20);
    n = fb_tracker_process (tracker, grey, (gint64) (20 + k) * FRAME_NS, &params, faces,
        4);
    g_assert_cmpint (n, ==, 1);
    g_assert_cmpuint (faces[0].id, ==, ids[0]);
  }
  fb_tracker_free (tracker);
}

/* A run of frames in which every detection finishes before the next frame, so that its
 * result is merged there: the schedule of detections is then exact. */
typedef struct {
  FbTracker *tracker;
  FbTrackerParams params;
  gint64 frame_ns;
  int frame;                    /* the next frame's number */
  int starts[64];               /* frames on which detections started */
  int n_starts;
  int n_faces;                  /* of the last frame */
} Schedule;

static void
schedule_init (Schedule * schedule, gint64 frame_ns)
{
  GError *error = NULL;

  memset (schedule, 0, sizeof (*schedule));
  schedule->tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&schedule->params);
  schedule->frame_ns = frame_ns;
}

/* Runs one frame; unless `wait`, a detection it starts may still run on the next. */
static void
schedule_step (Schedule * schedule, const FbImage * image, gboolean wait)
{
  FbTrackedFace faces[4];
  guint before = fb_tracker_get_n_detections (schedule->tracker);

  schedule->n_faces = fb_tracker_process (schedule->tracker, image,
      schedule->frame * schedule->frame_ns, &schedule->params, faces, 4);
  if (fb_tracker_get_n_detections (schedule->tracker) > before) {
    g_assert_cmpint (schedule->n_starts, <, G_N_ELEMENTS (schedule->starts));
    schedule->starts[schedule->n_starts++] = schedule->frame;
  }
  if (wait)
    fb_tracker_wait_for_detection (schedule->tracker);
  schedule->frame++;
}

static void
schedule_run (Schedule * schedule, const FbImage * image, int n_frames)
{
  int k;

  for (k = 0; k < n_frames; k++)
    schedule_step (schedule, image, TRUE);
}

/* Frames from the detection started `back` detections before the last to the next. */
static int
schedule_gap (const Schedule * schedule, int back)
{
  int i = schedule->n_starts - 1 - back;

  g_assert_cmpint (i, >=, 1);
  return schedule->starts[i] - schedule->starts[i - 1];
}

static void
schedule_clear (Schedule * schedule)
{
  fb_tracker_free (schedule->tracker);
}

/* A still face: every detection confirms it, so the interval doubles from 5 frames up
 * to 4 times that, or to 0.5 s where the frame rate makes that shorter. */
static void
still_face_schedule (gint64 frame_ns, int n_frames, const int *expected_gaps,
    int n_expected)
{
  Pose pose = { 320, 330, 1.4f, 0 };
  g_autoptr (FbImage) face = NULL;
  g_autoptr (GString) gaps = g_string_new (NULL);
  Schedule schedule;
  int i;

  face = render_grey (640, 480, pose);
  schedule_init (&schedule, frame_ns);
  schedule_run (&schedule, face, n_frames);
  g_assert_cmpint (schedule.n_faces, ==, 1);
  for (i = 1; i < schedule.n_starts; i++)
    g_string_append_printf (gaps, " %d", schedule.starts[i] - schedule.starts[i - 1]);
  g_test_message ("%.0f frames per second, detect-interval 5: detections%s frames apart",
      1e9 / frame_ns, gaps->str);
  /* the first detection is the synchronous one on frame 0 */
  g_assert_cmpint (schedule.starts[0], ==, 0);
  for (i = 1; i < schedule.n_starts; i++)
    g_assert_cmpint (schedule.starts[i] - schedule.starts[i - 1], ==,
        expected_gaps[MIN (i, n_expected) - 1]);
  g_assert_cmpint (schedule.n_starts, >=, n_expected + 2);
  schedule_clear (&schedule);
}

static void
test_interval_stretches (void)
{
  const int at_30[] = { 5, 10, 15 }, at_60[] = { 5, 10, 20 }, at_10[] = { 5 };

  if (!load_data ())
    return;
  still_face_schedule (FRAME_NS, 100, at_30, G_N_ELEMENTS (at_30));
  still_face_schedule (FRAME_NS / 2, 100, at_60, G_N_ELEMENTS (at_60));
  still_face_schedule (FRAME_NS * 3, 40, at_10, G_N_ELEMENTS (at_10));
}

/* Runs a still face until detections are 15 frames apart, ending on the frame that
 * started the last one: the worst moment for something to change. */
static void
run_until_stretched (Schedule * schedule, const FbImage * image)
{
  int limit = schedule->frame + 60;

  do
    schedule_run (schedule, image, 1);
  while (schedule->frame < limit && !(schedule->n_starts >= 2
          && schedule_gap (schedule, 0) == 15
          && schedule->starts[schedule->n_starts - 1] == schedule->frame - 1));
  g_assert_cmpint (schedule->frame, <, limit);
}

/* Whether every detection since the `first`-th came detect_interval (5) frames after
 * the one before. */
static void
assert_normal_interval_since (const Schedule * schedule, int first)
{
  int i;

  for (i = MAX (first, 1); i < schedule->n_starts; i++)
    g_assert_cmpint (schedule->starts[i] - schedule->starts[i - 1], ==, 5);
}

static void
test_interval_returns_after_change (void)
{
  const int width = 640, height = 480;
  Pose pose = { 320, 330, 1.4f, 0 };
  g_autoptr (FbImage) face = NULL;
  g_autoptr (FbImage) blank = blank_grey (width, height);
  Schedule schedule;
  int first, changed, dropped;

  if (!load_data ())
    return;
  face = render_grey (width, height, pose);
  schedule_init (&schedule, FRAME_NS);

  /* Detections stop seeing the face (now below min_face_size) while the fit still
   * follows it: the first miss brings the interval back to 5 frames, the second drops
   * the face, and without a face the interval stays 5. */
  run_until_stretched (&schedule, face);
  first = schedule.n_starts;
  schedule.params.min_face_size = 1000;
  schedule_run (&schedule, face, 15);
  g_assert_cmpint (schedule.n_starts, ==, first + 1);
  g_assert_cmpint (schedule.n_faces, ==, 1);
  schedule_run (&schedule, face, 6);
  g_assert_cmpint (schedule.n_faces, ==, 0);
  schedule_run (&schedule, face, 30);
  g_assert_cmpint (schedule.n_faces, ==, 0);
  assert_normal_interval_since (&schedule, first + 1);

  /* The face vanishes. Whether the fit loses it or two detections miss it, detection
   * is due again 5 frames after the last one, and stays every 5 frames. */
  schedule.params.min_face_size = 100;
  fb_tracker_reset (schedule.tracker);
  run_until_stretched (&schedule, face);
  first = schedule.n_starts;
  changed = schedule.frame;
  while (schedule.n_faces > 0 && schedule.frame - changed <= 15 + 5 + 1)
    schedule_run (&schedule, blank, 1);
  g_assert_cmpint (schedule.n_faces, ==, 0);
  dropped = schedule.frame - 1;
  g_test_message ("a face gone while detections were 15 frames apart: dropped %d "
      "frames later", dropped - changed);
  schedule_run (&schedule, blank, 20);
  g_assert_cmpint (schedule.starts[first], <=, MAX (dropped,
          schedule.starts[first - 1] + 5));
  assert_normal_interval_since (&schedule, first + 1);

  /* A reset detects at once, and then 5 frames later. */
  run_until_stretched (&schedule, face);
  fb_tracker_reset (schedule.tracker);
  first = schedule.n_starts;
  schedule_run (&schedule, face, 6);
  g_assert_cmpint (schedule.n_faces, ==, 1);
  g_assert_cmpint (schedule.n_starts, ==, first + 2);
  g_assert_cmpint (schedule.starts[first], ==, schedule.frame - 6);
  assert_normal_interval_since (&schedule, first + 1);
  schedule_clear (&schedule);
}

/* A second face appears just after a detection started while they were 15 frames apart
 * (0.5 s at 30 frames per second): the next one finds it, and the interval is back to
 * normal. */
static void
test_new_face_while_stretched (void)
{
  const int width = 640, height = 480;
  g_autoptr (FbImage) one = NULL;
  g_autoptr (FbImage) two = NULL;
  Schedule schedule;
  int appeared, found_after, first;

  if (!load_data ())
    return;
  one = render_grey (width, height, left_pose (0));
  two = render_two_faces (width, height, 0);
  schedule_init (&schedule, FRAME_NS);
  run_until_stretched (&schedule, one);
  g_assert_cmpint (schedule.n_faces, ==, 1);

  appeared = schedule.frame;
  while (schedule.n_faces < 2 && schedule.frame <= appeared + 30)
    schedule_run (&schedule, two, 1);
  g_assert_cmpint (schedule.n_faces, ==, 2);
  /* found by the detection that started 15 frames after the one before, merged on
   * the next frame: 15 frames after it appeared */
  found_after = schedule.frame - 1 - appeared;
  g_test_message ("a face that appeared while detections were 15 frames apart found "
      "%d frames later", found_after);
  g_assert_cmpint (found_after, <=, 15);
  g_assert_cmpint (schedule.frame - 1, ==, schedule.starts[schedule.n_starts - 1] + 1);

  schedule_run (&schedule, two, 5);
  g_assert_cmpint (schedule_gap (&schedule, 0), ==, 5);
  g_assert_cmpint (schedule.n_faces, ==, 2);

  /* A face dropped (here by max_faces) while a detection runs: when that detection
   * confirms the other one, the interval still goes back to 5 frames. The detection
   * (tens of ms) is still running when the next frame (one fit) comes. */
  run_until_stretched (&schedule, two);
  schedule_run (&schedule, two, 14);
  first = schedule.n_starts;
  schedule_step (&schedule, two, FALSE);
  g_assert_cmpint (schedule.n_starts, ==, first + 1);
  schedule.params.max_faces = 1;
  schedule_step (&schedule, two, FALSE);
  g_assert_cmpint (schedule.n_faces, ==, 1);
  schedule_run (&schedule, two, 5);
  g_assert_cmpint (schedule.n_starts, ==, first + 2);
  g_assert_cmpint (schedule_gap (&schedule, 0), ==, 5);
  schedule_clear (&schedule);
}

/* A large min_face_size makes detection run on a downscaled copy of the frame: the face
 * is found there, and its landmarks land where full-size detection puts them. */
static void
test_downscaled_detection (void)
{
  const int width = 1280, height = 720;
  const int min_sizes[2] = { 80, 230 };
  Pose pose = { 640, 420, 2.0f, 0.1f };
  g_autoptr (FbImage) grey = NULL;
  FbTrackedFace faces[2][4];
  FbTrackerParams params;
  GError *error = NULL;
  float distance;
  int j;

  if (!load_data ())
    return;
  grey = render_grey (width, height, pose);
  default_params (&params);
  for (j = 0; j < 2; j++) {
    FbTracker *tracker = fb_tracker_new (model, &error);
    g_assert_no_error (error);
    params.min_face_size = min_sizes[j];
    g_assert_cmpint (fb_tracker_process (tracker, grey, 0, &params, faces[j], 4), ==, 1);
    fb_tracker_free (tracker);
  }
  distance = fb_test_landmarks_distance (&faces[0][0].landmarks, &faces[1][0].landmarks);
  g_test_message ("face %d px wide, detected at full size and at 80/230 of it: landmarks "
      "%.2f px apart", faces[0][0].box.width, distance);
  g_assert_cmpfloat (distance, <, 2.0f);
}

/* A ~50 px face, below the 80 px of dlib's window: found when min-face-size asks for
 * faces that small (the detection image enlarged), not when it asks for 100 px ones.
 * The first frame's synchronous detection is a normal pass; the small-face pass starts
 * right after it, and the next frame has its result. */
static void
test_small_face_detection (void)
{
  const int width = 1280, height = 720;
  const int min_sizes[2] = { 40, 100 };
  const float face_width = 50;
  Pose pose = { 640, 360, 1.0f, 0.0f };
  g_autoptr (FbImage) grey = NULL;
  FbTrackedFace faces[4], large[4];
  FbTrackerParams params;
  GError *error = NULL;
  FbTracker *tracker;
  float found_width;
  int j, n;

  if (!load_data ())
    return;
  /* the astronaut's face width at scale 1, measured */
  default_params (&params);
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  grey = render_grey (width, height, pose);
  g_assert_cmpint (fb_tracker_process (tracker, grey, 0, &params, large, 4), ==, 1);
  fb_tracker_free (tracker);
  g_clear_pointer (&grey, fb_image_free);
  pose.scale = face_width / fb_landmarks_face_width (&large[0].landmarks);
  grey = render_grey (width, height, pose);

  for (j = 0; j < 2; j++) {
    tracker = fb_tracker_new (model, &error);
    g_assert_no_error (error);
    params.min_face_size = min_sizes[j];
    g_assert_cmpint (fb_tracker_process (tracker, grey, 0, &params, faces, 4), ==, 0);
    fb_tracker_wait_for_detection (tracker);
    n = fb_tracker_process (tracker, grey, FRAME_NS, &params, faces, 4);
    fb_tracker_free (tracker);
    g_test_message ("min-face-size %d: %d faces", min_sizes[j], n);
    if (min_sizes[j] < face_width) {
      g_assert_cmpint (n, ==, 1);
      found_width = fb_landmarks_face_width (&faces[0].landmarks);
      g_test_message ("face %.0f px wide found %.1f px wide", face_width, found_width);
      g_assert_cmpfloat (fabsf (found_width - face_width), <, 0.2f * face_width);
    } else {
      g_assert_cmpint (n, ==, 0);
    }
  }
}

/* min-face-size as the tracker takes it: the value asked for, at least 16, or for 0 48
 * px up to 1080p and the same share of a larger frame. */
static void
test_min_face_size (void)
{
  g_assert_cmpint (fb_tracker_min_face_size (60, 3840, 2160), ==, 60);
  g_assert_cmpint (fb_tracker_min_face_size (3, 640, 480), ==, FB_TRACKER_MIN_FACE_SIZE);
  g_assert_cmpint (fb_tracker_min_face_size (FB_TRACKER_AUTO_MIN_FACE, 640, 480), ==, 48);
  g_assert_cmpint (fb_tracker_min_face_size (FB_TRACKER_AUTO_MIN_FACE, 1920, 1080), ==,
      48);
  g_assert_cmpint (fb_tracker_min_face_size (FB_TRACKER_AUTO_MIN_FACE, 1080, 1920), ==,
      48);
  g_assert_cmpint (fb_tracker_min_face_size (FB_TRACKER_AUTO_MIN_FACE, 3840, 2160), ==,
      96);
  g_assert_cmpint (fb_tracker_min_face_size (FB_TRACKER_AUTO_MIN_FACE, 2560, 1440), ==,
      64);
}

/* A 50 px face beside a large one at min-face-size 48: both are found by the second
 * frame and kept, with the same ids, over 90 frames of alternating passes: the normal
 * passes, which cannot see the small face, do not count as missing it. */
static void
test_small_face_kept (void)
{
  const int width = 1280, height = 720, n_frames = 90;
  Pose large = { 900, 360, 1.0f, 0.0f }, small = { 250, 360, 0.0f, 0.0f };
  g_autoptr (FbImage) grey = NULL;
  g_autoptr (FbImage) small_grey = NULL;
  FbTrackedFace faces[4];
  FbTrackerParams params;
  GError *error = NULL;
  FbTracker *tracker;
  guint ids[2] = { 0, 0 };
  int frame, n, y;

  if (!load_data ())
    return;
  default_params (&params);
  params.min_face_size = 48;
  grey = render_grey (width, height, large);
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fb_tracker_process (tracker, grey, 0, &params, faces, 4), ==, 1);
  small.scale = 50 / fb_landmarks_face_width (&faces[0].landmarks);
  small_grey = render_grey (width, height, small);
  for (y = 260; y < 460; y++)
    memcpy (fb_image_row (grey, y) + 150, fb_image_row (small_grey, y) + 150, 200);
  fb_tracker_reset (tracker);

  for (frame = 0; frame < n_frames; frame++) {
    n = fb_tracker_process (tracker, grey, (gint64) frame * FRAME_NS, &params, faces, 4);
    fb_tracker_wait_for_detection (tracker);
    if (frame == 0)
      continue;
    g_assert_cmpint (n, ==, 2);
    if (frame == 1) {
      ids[0] = faces[0].id;
      ids[1] = faces[1].id;
      g_test_message ("faces %d and %d px wide", faces[0].box.width, faces[1].box.width);
    }
    g_assert_cmpuint (faces[0].id, ==, ids[0]);
    g_assert_cmpuint (faces[1].id, ==, ids[1]);
  }
  g_assert_cmpuint (fb_tracker_get_n_detections (tracker), >=, 2 * n_frames / 20);
  fb_tracker_free (tracker);
}

/* Mean landmark movement from frame to frame of a still face under per-frame noise. */
static float
still_face_jitter (float smoothing, FbLandmarks * mean_out)
{
  const int width = 640, height = 480, n_frames = 40;
  Pose pose = { 320, 330, 1.4f, 0 };
  const int noise_margin = 4096;
  g_autoptr (FbImage) clean = NULL;
  g_autoptr (FbImage) noisy = NULL;
  g_autofree gint8 *noise = g_new (gint8, width * height + noise_margin);
  GRand *rand = g_rand_new_with_seed (7);
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  FbLandmarks previous;
  GError *error = NULL;
  float jitter = 0;
  int k, i, counted = 0;

  clean = render_grey (width, height, pose);
  noisy = fb_image_copy (clean);
  for (i = 0; i < width * height + noise_margin; i++)
    noise[i] = (gint8) g_rand_int_range (rand, -20, 21);
  memset (mean_out, 0, sizeof (*mean_out));
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);
  params.smoothing = smoothing;
  for (k = 0; k < n_frames; k++) {
    const gint8 *frame_noise = noise + g_rand_int_range (rand, 0, noise_margin);
    for (i = 0; i < width * height; i++) {
      int v = clean->data[i] + frame_noise[i];
      noisy->data[i] = CLAMP (v, 0, 255);
    }
    g_assert_cmpint (fb_tracker_process (tracker, noisy, (gint64) k * FRAME_NS, &params,
            faces, 4), ==, 1);
    if (k >= 10) {
      jitter += fb_test_landmarks_distance (&faces[0].landmarks, &previous);
      for (i = 0; i < FB_N_LANDMARKS; i++) {
        mean_out->points[i].x += faces[0].landmarks.points[i].x;
        mean_out->points[i].y += faces[0].landmarks.points[i].y;
      }
      counted++;
    }
    previous = faces[0].landmarks;
  }
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    mean_out->points[i].x /= counted;
    mean_out->points[i].y /= counted;
  }
  fb_tracker_free (tracker);
  g_rand_free (rand);
  return jitter / counted;
}

/* s followed by t. */
static FbSimilarity
then (FbSimilarity s, FbSimilarity t)
{
  FbSimilarity r = { t.a * s.a - t.b * s.b, t.b * s.a + t.a * s.b, 0, 0 };
  FbPoint shift = { s.tx, s.ty };

  shift = fb_similarity_apply (t, shift);
  r.tx = shift.x;
  r.ty = shift.y;
  return r;
}

/* Carrying landmarks from one frame to the next: with the face's motion guessed 2 px
 * wrong, the brows', eyes', nose's and mouth's points follow their own skin to where
 * the face really went; the jaw's keep to the guess (the background lies around them). */
static void
test_carry_follows_the_skin (void)
{
  const int width = 640, height = 480;
  const Pose before = { 320, 330, 1.4f, 0.05f }, after = { 324, 332, 1.42f, 0.07f };
  g_autoptr (FbImage) grey0 = NULL;
  g_autoptr (FbImage) grey1 = NULL;
  FbSimilarity truth, guess;
  FbFacePatch patch = { NULL, 0, 0, { 0, 0, 0, 0 } };
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  FbLandmarks carried, exact;
  GError *error = NULL;
  gint64 t = 0;
  double inner_error = 0, eyes_error = 0;
  int i, n_inner = 0;

  if (!load_data ())
    return;
  grey0 = render_grey (width, height, before);
  grey1 = render_grey (width, height, after);
  default_params (&params);
  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (frames_until (tracker, grey0, &params, &t, 1), >=, 0);
  g_assert_cmpint (fb_tracker_process (tracker, grey0, t += FRAME_NS, &params, faces, 4),
      ==, 1);
  truth = then (fb_similarity_invert (astronaut_to_frame (before)),
      astronaut_to_frame (after));
  guess = truth;
  guess.tx += 2;
  fb_face_patch_take (&patch, grey0, &faces[0].landmarks);
  g_assert_nonnull (patch.pixels);

  /* a right guess stays right */
  fb_face_motion_carry (&patch, grey1, truth, &faces[0].landmarks, &carried);
  fb_landmarks_transform (&faces[0].landmarks, truth, &exact);
  g_assert_cmpfloat (fb_test_landmarks_distance (&carried, &exact), <, 0.3f);

  fb_face_motion_carry (&patch, grey1, guess, &faces[0].landmarks, &carried);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    const float e = hypotf (carried.points[i].x - exact.points[i].x,
        carried.points[i].y - exact.points[i].y);
    if (i <= FB_LM_JAW_LAST) {
      g_assert_cmpfloat (fabsf (e - 2), <, 1e-3f);
      continue;
    }
    inner_error += e;
    n_inner++;
    if (i >= FB_LM_RIGHT_EYE_FIRST && i < FB_LM_MOUTH_FIRST)
      eyes_error += e;
  }
  inner_error /= n_inner;
  eyes_error /= FB_LM_MOUTH_FIRST - FB_LM_RIGHT_EYE_FIRST;
  g_test_message ("carried with a guess 2 px off: the brows, eyes, nose and mouth %.2f px "
      "from the truth, the eyes %.2f px", inner_error, eyes_error);
  /* smooth skin keeps to the guess by design: only well textured windows go all the way */
  g_assert_cmpfloat (inner_error, <, 1.0f);
  g_assert_cmpfloat (eyes_error, <, 0.5f);
  fb_face_patch_clear (&patch);
  fb_tracker_free (tracker);
}

/* Frame k of a face whose mouth opens: the lower lip and the chin pulled down by up to
 * `drop` pixels below the mouth's centre (m), fading out sideways and downwards. */
static void
open_mouth (const FbImage * closed, FbImage * out, FbPoint m, float face_width,
    float drop)
{
  int x, y;

  for (y = 0; y < closed->height; y++)
    for (x = 0; x < closed->width; x++) {
      const float u = (x - m.x) / (0.25f * face_width);
      const float below = (y - m.y) / (0.06f * face_width);
      const float reach = MAX (0, y - m.y - 0.15f * face_width) / (0.2f * face_width);
      const float ramp = CLAMP (below, 0, 1);
      const float dy = drop * expf (-0.5f * u * u) * ramp * ramp * (3 - 2 * ramp)
          * expf (-0.5f * reach * reach);
      const float sy = CLAMP (y - dy, 0, closed->height - 1);
      const int y0 = MIN ((int) sy, closed->height - 2);
      const float f = sy - y0;
      out->data[y * out->stride + x] = (uint8_t) lroundf ((1 - f)
          * closed->data[y0 * closed->stride + x] + f * closed->data[(y0 + 1)
              * closed->stride + x]);
    }
}

/* The mouth's opening: upper lip's inner centre to the lower's. */
static float
mouth_opening (const FbLandmarks * lm)
{
  return hypotf (lm->points[66].x - lm->points[62].x, lm->points[66].y - lm->points[62].y);
}

/* A change of expression is followed: the smoothed landmarks open the mouth with the
 * fits (the points carried with their skin, whose dead band is wide, must not keep the
 * mouth closed). */
static void
test_expression_followed (void)
{
  const int width = 640, height = 480, n_frames = 45;
  const Pose pose = { 320, 330, 1.4f, 0 };
  const float smoothing[2] = { 0, 0.7f };
  g_autoptr (FbImage) closed = NULL;
  g_autoptr (FbImage) frame = NULL;
  FbTracker *trackers[2];
  FbTrackerParams params;
  FbTrackedFace faces[4];
  FbPoint mouth = { 0, 0 };
  GError *error = NULL;
  float face_width = 0, opening[2] = { 0, 0 }, closed_opening = 0;
  int j, k;

  if (!load_data ())
    return;
  closed = render_grey (width, height, pose);
  frame = fb_image_copy (closed);
  default_params (&params);
  for (j = 0; j < 2; j++) {
    trackers[j] = fb_tracker_new (model, &error);
    g_assert_no_error (error);
  }
  for (k = 0; k < n_frames; k++) {
    /* closed for 10 frames, opening over 15 (about 0.1 face widths a second), open */
    const float drop = 0.12f * face_width * CLAMP ((k - 10) / 15.0f, 0, 1);
    if (k > 0)
      open_mouth (closed, frame, mouth, face_width, drop);
    for (j = 0; j < 2; j++) {
      params.smoothing = smoothing[j];
      g_assert_cmpint (fb_tracker_process (trackers[j], frame, (gint64) k * FRAME_NS,
              &params, faces, 4), ==, 1);
      opening[j] = mouth_opening (&faces[0].landmarks);
      if (k == 0 && j == 0) {
        mouth.x = 0.5f * (faces[0].landmarks.points[62].x
            + faces[0].landmarks.points[66].x);
        mouth.y = 0.5f * (faces[0].landmarks.points[62].y
            + faces[0].landmarks.points[66].y);
        face_width = fb_landmarks_face_width (&faces[0].landmarks);
        closed_opening = opening[0];
      }
    }
  }
  g_test_message ("mouth opening: %.1f px closed, the fits %.1f px open, smoothed "
      "%.1f px (face %.0f px wide)", closed_opening, opening[0], opening[1], face_width);
  /* the fits see the mouth open */
  g_assert_cmpfloat (opening[0] - closed_opening, >, 0.04f * face_width);
  g_assert_cmpfloat (fabsf (opening[1] - opening[0]), <,
      0.25f * (opening[0] - closed_opening));
  for (j = 0; j < 2; j++)
    fb_tracker_free (trackers[j]);
}

/* Frame of a face whose eyes close by `closure` (0 open .. 1 shut): in each eye's box
 * (from its landmarks at frame 0, lm), the rows from the box's top down to `closure`
 * of its height take the grey of the skin between the eye and the brow, as an eyelid
 * that comes down. */
static void
close_eyes (const FbImage * open, FbImage * out, const FbLandmarks * lm, float closure)
{
  int e, x, y;

  for (y = 0; y < open->height; y++)
    memcpy (fb_image_row (out, y), fb_image_row (open, y), open->width);
  for (e = 0; e < 2; e++) {
    float x0 = 1e9f, x1 = -1e9f, y0 = 1e9f, y1 = -1e9f, w, h, lid;
    int i, skin = 0, n = 0;
    for (i = 36 + 6 * e; i < 42 + 6 * e; i++) {
      x0 = MIN (x0, lm->points[i].x);
      x1 = MAX (x1, lm->points[i].x);
      y0 = MIN (y0, lm->points[i].y);
      y1 = MAX (y1, lm->points[i].y);
    }
    w = x1 - x0;
    h = MAX (y1 - y0, 0.2f * w);
    x0 -= 0.15f * w;
    x1 += 0.15f * w;
    y0 -= 0.6f * h;
    y1 += 0.4f * h;
    /* the skin just above the box */
    for (x = (int) x0; x <= (int) x1; x++) {
      skin += fb_image_row (open, (int) y0 - 2)[x];
      n++;
    }
    skin /= MAX (n, 1);
    lid = y0 + closure * (y1 - y0);
    for (y = (int) y0; y < (int) lid; y++)
      for (x = (int) x0; x <= (int) x1; x++)
        fb_image_row (out, y)[x] = (uint8_t) skin;
  }
}

/* The eyes' opening: the mean distance from the upper lids' points to the lower's. */
static float
eyes_opening (const FbLandmarks * lm)
{
  static const int upper[4] = { 37, 38, 43, 44 }, lower[4] = { 41, 40, 47, 46 };
  float sum = 0;
  int i;

  for (i = 0; i < 4; i++)
    sum += hypotf (lm->points[lower[i]].x - lm->points[upper[i]].x,
        lm->points[lower[i]].y - lm->points[upper[i]].y);
  return sum / 4;
}

/* A blink is followed: the eyes close over 2 frames, stay shut for 2, open over 2 (about
 * 200 ms at 30 fps), and the smoothed landmarks close them with the fits. */
static void
test_blink_followed (void)
{
  const int width = 640, height = 480, n_frames = 30;
  const Pose pose = { 320, 300, 1.4f, 0 };
  const float smoothing[2] = { 0, 0.7f };
  static const float closure[] = { 0.5f, 1, 1, 1, 0.5f };
  g_autoptr (FbImage) open = NULL;
  g_autoptr (FbImage) frame = NULL;
  FbTracker *trackers[2];
  FbTrackerParams params;
  FbTrackedFace faces[4];
  FbLandmarks first;
  GError *error = NULL;
  float opening[2][30], face_width = 0;
  int j, k;

  if (!load_data ())
    return;
  open = render_grey (width, height, pose);
  frame = fb_image_copy (open);
  default_params (&params);
  for (j = 0; j < 2; j++) {
    trackers[j] = fb_tracker_new (model, &error);
    g_assert_no_error (error);
  }
  for (k = 0; k < n_frames; k++) {
    const int b = k - 15;
    if (k > 0)
      close_eyes (open, frame, &first, b >= 0 && b < (int) G_N_ELEMENTS (closure)
          ? closure[b] : 0);
    for (j = 0; j < 2; j++) {
      params.smoothing = smoothing[j];
      g_assert_cmpint (fb_tracker_process (trackers[j], frame, (gint64) k * FRAME_NS,
              &params, faces, 4), ==, 1);
      opening[j][k] = eyes_opening (&faces[0].landmarks);
      if (k == 0 && j == 0) {
        first = faces[0].landmarks;
        face_width = fb_landmarks_face_width (&first);
      }
    }
  }
  for (k = 14; k < 24; k++)
    g_test_message ("frame %d: eyes open %.1f px in the fits, %.1f px smoothed", k,
        opening[0][k], opening[1][k]);
  g_test_message ("face %.0f px wide", face_width);
  /* shut (frames 16-19): the smoothed eyes close at least 60 % as far as the fits;
   * open again (frames 21-23): within a quarter of the fits' closing of the fits */
  {
    float fits = 0, smoothed = 0, after = 0, open_px = opening[0][14];
    for (k = 16; k < 20; k++) {
      fits += open_px - opening[0][k];
      smoothed += open_px - opening[1][k];
    }
    for (k = 21; k < 24; k++)
      after = MAX (after, fabsf (opening[1][k] - opening[0][k]));
    g_assert_cmpfloat (fits, >, 4 * 0.15f * open_px);   /* the fits see the blink */
    g_assert_cmpfloat (smoothed, >=, 0.6f * fits);
    g_assert_cmpfloat (after, <=, 0.25f * fits / 4);
  }
  for (j = 0; j < 2; j++)
    fb_tracker_free (trackers[j]);
}

static void
test_smoothing_reduces_jitter (void)
{
  FbLandmarks raw_mean, smooth_mean;
  float raw, smooth;

  if (!load_data ())
    return;
  raw = still_face_jitter (0, &raw_mean);
  smooth = still_face_jitter (0.7f, &smooth_mean);
  g_test_message ("still face jitter: %.3f px per frame raw, %.3f px smoothed", raw,
      smooth);
  g_assert_cmpfloat (raw, >, 0.05f);
  g_assert_cmpfloat (smooth, <, 0.5f * raw);
  /* smoothing does not move the face */
  g_assert_cmpfloat (fb_test_landmarks_distance (&raw_mean, &smooth_mean), <, 1.0f);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values, int n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static void
test_tracking_is_cheaper_than_detection (void)
{
  const int width = 1280, height = 720, n_frames = 30;
  Pose pose = { 640, 420, 2.0f, 0 };
  g_autoptr (FbImage) grey = NULL;
  FbFaceDetector *detector;
  FbDetection found[8];
  FbTracker *tracker;
  FbTrackerParams params;
  FbTrackedFace faces[4];
  GError *error = NULL;
  double detect_ms[3], fit_ms[20], track_ms[n_frames - 1], detect, fit, track;
  int k;

  if (!load_data ())
    return;
  grey = render_grey (width, height, pose);

  detector = fb_face_detector_new (NULL);
  for (k = 0; k < 3; k++) {
    gint64 start = g_get_monotonic_time ();
    g_assert_cmpint (fb_face_detector_run (detector, grey->data, width, height,
            grey->stride, found, 8), >=, 1);
    detect_ms[k] = (g_get_monotonic_time () - start) / 1000.0;
  }
  fb_face_detector_free (detector);
  detect = median (detect_ms, 3);

  for (k = 0; k < 20; k++) {
    FbLandmarks lm;
    gint64 start = g_get_monotonic_time ();
    g_assert_cmpint (fb_shape_model_fit (model, grey->data, width, height, grey->stride,
            found[0].box, lm.points), ==, 0);
    fit_ms[k] = (g_get_monotonic_time () - start) / 1000.0;
  }
  fit = median (fit_ms, 20);

  tracker = fb_tracker_new (model, &error);
  g_assert_no_error (error);
  default_params (&params);
  params.detect_interval = 1;
  for (k = 0; k < n_frames; k++) {
    gint64 start = g_get_monotonic_time ();
    g_assert_cmpint (fb_tracker_process (tracker, grey, (gint64) k * FRAME_NS, &params,
            faces, 4), ==, 1);
    if (k > 0)
      track_ms[k - 1] = (g_get_monotonic_time () - start) / 1000.0;
  }
  fb_tracker_free (tracker);
  track = median (track_ms, n_frames - 1);

  g_test_message ("1280x720, face %d px: full-frame detection %.1f ms, fit %.2f ms, "
      "tracking call %.2f ms (medians)", found[0].box.width, detect, fit, track);
  g_assert_cmpfloat (track, <, detect / 2);
}

static void
test_one_euro (void)
{
  FbOneEuroParams params = { 1.0f, 0.0f, 1.0f };
  FbOneEuro filter;
  FbOneEuroPoint point_filter;
  FbPoint p = { 3, 4 }, q;
  GRand *rand = g_rand_new_with_seed (3);
  double raw_var = 0, filtered_var = 0;
  float y, lag_slow, lag_fast;
  int k;

  /* the first sample passes, a constant stays */
  fb_one_euro_reset (&filter);
  g_assert_cmpfloat (fb_one_euro_filter (&filter, &params, 5.0f, 0.0), ==, 5.0f);
  for (k = 1; k < 10; k++)
    g_assert_cmpfloat_with_epsilon (fb_one_euro_filter (&filter, &params, 5.0f, k / 30.0),
        5.0f, 1e-5);
  /* a repeated timestamp neither divides by zero nor stalls */
  y = fb_one_euro_filter (&filter, &params, 6.0f, 9 / 30.0);
  g_assert_true (isfinite (y) && y > 5.0f && y < 6.0f);

  /* noise is reduced */
  fb_one_euro_reset (&filter);
  for (k = 0; k < 300; k++) {
    float x = (float) g_rand_double_range (rand, -1, 1);
    y = fb_one_euro_filter (&filter, &params, x, k / 30.0);
    if (k >= 30) {
      raw_var += x * x;
      filtered_var += y * y;
    }
  }
  g_assert_cmpfloat (filtered_var, <, 0.3 * raw_var);

  /* beta lets a moving signal lag less */
  for (k = 0; k < 2; k++) {
    int i;
    params.beta = k ? 1.0f : 0.0f;
    fb_one_euro_reset (&filter);
    for (i = 0; i < 60; i++)
      y = fb_one_euro_filter (&filter, &params, 10.0f * i / 30.0f, i / 30.0);
    if (k)
      lag_fast = 10.0f * 59 / 30.0f - y;
    else
      lag_slow = 10.0f * 59 / 30.0f - y;
  }
  g_assert_cmpfloat (lag_slow, >, 0.5f);
  g_assert_cmpfloat (lag_fast, <, 0.3f * lag_slow);

  /* points: first passes, converge to a held value */
  fb_one_euro_point_reset (&point_filter);
  q = fb_one_euro_point_filter (&point_filter, &params, p, 1.0);
  g_assert_cmpfloat (q.x, ==, 3.0f);
  g_assert_cmpfloat (q.y, ==, 4.0f);
  p.x = 13;
  for (k = 1; k < 120; k++)
    q = fb_one_euro_point_filter (&point_filter, &params, p, 1.0 + k / 30.0);
  g_assert_cmpfloat_with_epsilon (q.x, 13.0f, 0.05f);
  g_assert_cmpfloat_with_epsilon (q.y, 4.0f, 1e-4);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tracker/one-euro", test_one_euro);
  g_test_add_func ("/tracker/known-motion", test_known_motion);
  g_test_add_func ("/tracker/no-face-and-lost-face", test_no_face_and_lost_face);
  g_test_add_func ("/tracker/face-leaves-the-frame", test_face_leaves_the_frame);
  g_test_add_func ("/tracker/reset-forgets", test_reset_forgets);
  g_test_add_func ("/tracker/two-faces", test_two_faces);
  g_test_add_func ("/tracker/interval-stretches", test_interval_stretches);
  g_test_add_func ("/tracker/interval-returns-after-change",
      test_interval_returns_after_change);
  g_test_add_func ("/tracker/new-face-while-stretched", test_new_face_while_stretched);
  g_test_add_func ("/tracker/downscaled-detection", test_downscaled_detection);
  g_test_add_func ("/tracker/small-face-detection", test_small_face_detection);
  g_test_add_func ("/tracker/small-face-kept", test_small_face_kept);
  g_test_add_func ("/tracker/min-face-size", test_min_face_size);
  g_test_add_func ("/tracker/smoothing-reduces-jitter", test_smoothing_reduces_jitter);
  g_test_add_func ("/tracker/carry-follows-the-skin", test_carry_follows_the_skin);
  g_test_add_func ("/tracker/expression-followed", test_expression_followed);
  g_test_add_func ("/tracker/blink-followed", test_blink_followed);
  g_test_add_func ("/tracker/cheaper-than-detection", test_tracking_is_cheaper_than_detection);
  return g_test_run ();
}
