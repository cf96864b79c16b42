/* faceblit — lifecycle stress: state cycles with frames flowing, renegotiation, EOS and
 * restart, properties set from another thread, two elements at once, many faces,
 * faces at the borders, a face from 2000 px down to 20 px.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gst/app/gstappsrc.h>
#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include "fb-bundled-styles.h"
#include "fb-engine.h"
#include "fb-test-harness.h"
#include "fb-test-helpers.h"

/* A face restyled by the swapped exemplar: red minus blue below this (skin is > 20). */
#define BLUE_SKIN -20.0
/* How long a test waits for a frame before it calls the pipeline stuck. */
#define PULL_TIMEOUT (20 * GST_SECOND)
/* A face restyled by another exemplar differs from the input by this much on average
 * (grey levels per channel). */
#define RESTYLED_DIFFERENCE 10.0

static FbTestStyles test_styles;        /* in tmp_dir */
static FbTestFace grace_hopper;
static gchar *tmp_dir;

static gboolean
have_face_data (void)
{
  if (test_styles.astronaut.image)
    return TRUE;
  GST_INFO ("skipped: needs the astronaut (python3-skimage) and dlib's model");
  return FALSE;
}

/* ---------------------------------------------------------------------------------
 * A real pipeline: appsrc ! faceblit ! fakesink. The source plays one picture over and
 * over, as fast as the pipeline takes it (need-data), for `frames_left` frames or
 * (-1) without end; the sink hands every frame it renders to the test (appsink would
 * stay EOS after a restart through READY). */

typedef struct
{
  GstElement *pipeline, *src, *faceblit, *sink;
  GstVideoInfo info;
  GstBuffer *picture;
  FbLandmarks truth;            /* the face in the picture */
  GAsyncQueue *rendered;        /* the frames the sink rendered */
  gint prerolls;                /* atomic: so are the frames it prerolls on */
  GMutex lock;
  guint64 n_pushed;             /* under lock */
  gint64 frames_left;           /* under lock */
} Player;

static void
player_need_data (GstAppSrc * src, guint length, gpointer data)
{
  Player *player = data;
  GstBuffer *buffer = NULL;

  g_mutex_lock (&player->lock);
  if (player->frames_left != 0) {
    buffer = gst_buffer_copy (player->picture);
    GST_BUFFER_PTS (buffer) = player->n_pushed++ * FB_TEST_FRAME_DURATION;
    GST_BUFFER_DURATION (buffer) = FB_TEST_FRAME_DURATION;
    if (player->frames_left > 0)
      player->frames_left--;
  }
  g_mutex_unlock (&player->lock);
  if (buffer)
    gst_app_src_push_buffer (src, buffer);
  else
    gst_app_src_end_of_stream (src);
}

static void
player_rendered (GstElement * sink, GstBuffer * buffer, GstPad * pad, gpointer data)
{
  Player *player = data;

  g_async_queue_push (player->rendered, gst_buffer_ref (buffer));
}

static void
player_prerolled (GstElement * sink, GstBuffer * buffer, GstPad * pad, gpointer data)
{
  Player *player = data;

  if (g_atomic_int_get (&player->prerolls))
    g_async_queue_push (player->rendered, gst_buffer_ref (buffer));
}

/* The face placed at `p` in the source's picture, restyled with `style`. */
static void
player_init (Player * player, const FbTestFace * face, GstVideoFormat format, int width,
    int height, FbTestPlacement p, const gchar * style)
{
  GstAppSrcCallbacks callbacks = { player_need_data };
  GError *error = NULL;
  FbImage *rgb;

  memset (player, 0, sizeof (*player));
  g_mutex_init (&player->lock);
  player->frames_left = -1;
  player->rendered = g_async_queue_new_full ((GDestroyNotify) gst_buffer_unref);
  player->pipeline = gst_parse_launch ("appsrc name=src format=time ! "
      "faceblit name=faceblit ! fakesink name=sink sync=false signal-handoffs=true",
      &error);
  fail_unless (player->pipeline != NULL, "%s", error ? error->message : "");
  player->src = gst_bin_get_by_name (GST_BIN (player->pipeline), "src");
  player->faceblit = gst_bin_get_by_name (GST_BIN (player->pipeline), "faceblit");
  player->sink = gst_bin_get_by_name (GST_BIN (player->pipeline), "sink");
  g_object_set (player->faceblit, "style", style, NULL);
  g_signal_connect (player->sink, "handoff", G_CALLBACK (player_rendered), player);
  g_signal_connect (player->sink, "preroll-handoff", G_CALLBACK (player_prerolled),
      player);

  fb_test_video_info_init (&player->info, format, width, height);
  rgb = fb_test_render_face (face, p, width, height, &player->truth);
  player->picture = fb_test_buffer_from_rgb (rgb, &player->info);
  fb_image_free (rgb);
  g_object_set (player->src, "caps", gst_video_info_to_caps (&player->info), NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (player->src), &callbacks, player, NULL);
}

/* Forgets the frames rendered and not looked at. */
static void
player_drop_rendered (Player * player)
{
  GstBuffer *buffer;

  while ((buffer = g_async_queue_try_pop (player->rendered)))
    gst_buffer_unref (buffer);
}

static void
player_set_state (Player * player, GstState state)
{
  GstStateChangeReturn ret = gst_element_set_state (player->pipeline, state);

  fail_if (ret == GST_STATE_CHANGE_FAILURE, "cannot go to %s",
      gst_element_state_get_name (state));
  fail_unless_equals_int (gst_element_get_state (player->pipeline, NULL, NULL,
          PULL_TIMEOUT), GST_STATE_CHANGE_SUCCESS);
  if (state <= GST_STATE_READY)
    player_drop_rendered (player);
}

static void
player_clear (Player * player)
{
  GstBus *bus = gst_element_get_bus (player->pipeline);

  player_set_state (player, GST_STATE_NULL);
  fb_test_assert_bus_quiet (bus);
  gst_object_unref (bus);
  g_async_queue_unref (player->rendered);
  gst_buffer_unref (player->picture);
  gst_object_unref (player->sink);
  gst_object_unref (player->faceblit);
  gst_object_unref (player->src);
  gst_object_unref (player->pipeline);
  g_mutex_clear (&player->lock);
}

/* The next frame the sink renders, or NULL after PULL_TIMEOUT. */
static GstBuffer *
player_pull (Player * player)
{
  return g_async_queue_timeout_pop (player->rendered, PULL_TIMEOUT / GST_USECOND);
}

/* The frame is restyled: one face, blue skin where the picture's face is. */
static void
assert_restyled (const Player * player, GstBuffer * buffer, const gchar * when)
{
  FbImage *out;
  double red_minus_blue;

  fail_unless (buffer != NULL, "%s: no frame", when);
  fail_unless_equals_int (fb_test_count_faces (buffer), 1);
  out = fb_test_buffer_to_rgb (buffer, &player->info);
  red_minus_blue = fb_test_mean_red_minus_blue (out,
      fb_test_inner_face (&player->truth));
  fail_unless (red_minus_blue < BLUE_SKIN, "%s: face not restyled (red - blue = %.1f)",
      when, red_minus_blue);
  fb_image_free (out);
  gst_buffer_unref (buffer);
}

static const FbTestPlacement centre_320x240 = { 160, 130, 1.0f, 0.0f };

/* 100 times NULL -> PLAYING -> NULL and 100 times READY -> PAUSED -> READY while the
 * source keeps pushing: every start restyles its first frame. */
GST_START_TEST (test_state_cycles)
{
  Player player;
  gint64 start = g_get_monotonic_time ();
  guint i;

  if (!have_face_data ())
    return;
  player_init (&player, &test_styles.astronaut, GST_VIDEO_FORMAT_I420, 320, 240,
      centre_320x240, test_styles.blue);
  for (i = 0; i < 100; i++) {
    gchar *when = g_strdup_printf ("NULL -> PLAYING #%u", i);

    player_set_state (&player, GST_STATE_PLAYING);
    assert_restyled (&player, player_pull (&player), when);
    assert_restyled (&player, player_pull (&player), when);
    player_set_state (&player, GST_STATE_NULL);
    g_free (when);
  }
  GST_INFO ("100 NULL <-> PLAYING cycles: %.1f s", (g_get_monotonic_time () - start) / 1e6);

  start = g_get_monotonic_time ();
  player_set_state (&player, GST_STATE_READY);
  g_atomic_int_set (&player.prerolls, TRUE);
  for (i = 0; i < 100; i++) {
    gchar *when = g_strdup_printf ("READY -> PAUSED #%u", i);

    player_set_state (&player, GST_STATE_PAUSED);
    assert_restyled (&player, player_pull (&player), when);
    player_set_state (&player, GST_STATE_READY);
    g_free (when);
  }
  GST_INFO ("100 READY <-> PAUSED cycles: %.1f s", (g_get_monotonic_time () - start) / 1e6);
  player_clear (&player);
}

GST_END_TEST;

/* Runs the source's `n` frames to EOS, each restyled. */
static void
play_to_eos (Player * player, guint n, const gchar * when)
{
  GstBus *bus = gst_element_get_bus (player->pipeline);
  GstMessage *msg;
  guint i;

  g_mutex_lock (&player->lock);
  player->frames_left = n;
  g_mutex_unlock (&player->lock);
  player_set_state (player, GST_STATE_PLAYING);
  for (i = 0; i < n; i++) {
    gchar *frame = g_strdup_printf ("%s, frame %u", when, i);

    assert_restyled (player, player_pull (player), frame);
    g_free (frame);
  }
  msg = gst_bus_timed_pop_filtered (bus, PULL_TIMEOUT, GST_MESSAGE_EOS |
      GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "%s: no EOS",
      when);
  gst_message_unref (msg);
  gst_object_unref (bus);
}

/* After EOS the pipeline goes back to READY or NULL and plays again: the first frame
 * after the restart is restyled like the first frame ever. */
GST_START_TEST (test_eos_then_restart)
{
  const GstState stops[] = { GST_STATE_READY, GST_STATE_NULL, GST_STATE_READY };
  Player player;
  guint i;

  if (!have_face_data ())
    return;
  player_init (&player, &test_styles.astronaut, GST_VIDEO_FORMAT_RGBA, 320, 240,
      centre_320x240, test_styles.blue);
  play_to_eos (&player, 8, "first run");
  for (i = 0; i < G_N_ELEMENTS (stops); i++) {
    gchar *when = g_strdup_printf ("after EOS and %s",
        gst_element_state_get_name (stops[i]));

    player_set_state (&player, stops[i]);
    play_to_eos (&player, 8, when);
    g_free (when);
  }
  player_clear (&player);
}

GST_END_TEST;

/* ---------------------------------------------------------------------------------
 * The element in a harness, for the cases that set every frame themselves. */

/* Pushes an RGB picture as the next frame; returns the output, and that as RGB too
 * if asked. */
static GstBuffer *
run_push_flagged (FbTestRun * run, const FbImage * rgb, gboolean discont,
    FbImage ** out_rgb)
{
  GstBuffer *out = fb_test_run_push_full (run, rgb, discont, NULL);

  if (out_rgb)
    *out_rgb = fb_test_buffer_to_rgb (out, &run->info);
  return out;
}

static GstBuffer *
run_push (FbTestRun * run, const FbImage * rgb, FbImage ** out_rgb)
{
  return run_push_flagged (run, rgb, FALSE, out_rgb);
}

/* Every 5 frames the stream changes size and format (5 formats, 3 sizes: each pair
 * once): every frame comes out in the new caps with the face found and restyled. */
GST_START_TEST (test_renegotiation)
{
  const GstVideoFormat formats[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_YUY2
  };
  const int sizes[][2] = { {320, 240}, {385, 289}, {640, 360} };
  guint n, k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  fb_test_run_start (&run, formats[0], sizes[0][0], sizes[0][1], "style", test_styles.blue, NULL);
  for (n = 0; n < G_N_ELEMENTS (formats) * G_N_ELEMENTS (sizes); n++) {
    GstVideoFormat format = formats[n % G_N_ELEMENTS (formats)];
    int width = sizes[n % G_N_ELEMENTS (sizes)][0];
    int height = sizes[n % G_N_ELEMENTS (sizes)][1];
    FbTestPlacement p = { width / 2.0f, height / 2.0f + 10, height / 240.0f, 0 };
    FbLandmarks truth;
    FbImage *frame = fb_test_render_face (&test_styles.astronaut, p, width, height,
        &truth);

    fb_test_run_set_caps (&run, format, width, height);
    for (k = 0; k < 5; k++) {
      FbImage *out;
      GstBuffer *buffer = run_push (&run, frame, &out);
      GstCaps *caps = gst_pad_get_current_caps (run.h->sinkpad);
      GstCaps *expected = gst_video_info_to_caps (&run.info);
      double red_minus_blue = fb_test_mean_red_minus_blue (out,
          fb_test_inner_face (&truth));

      fail_unless (gst_caps_is_equal (caps, expected), "%s %dx%d: output caps %"
          GST_PTR_FORMAT, gst_video_format_to_string (format), width, height, caps);
      fail_unless_equals_int (fb_test_count_faces (buffer), 1);
      fail_unless (red_minus_blue < BLUE_SKIN, "%s %dx%d frame %u: face not restyled "
          "(red - blue = %.1f)", gst_video_format_to_string (format), width, height,
          k, red_minus_blue);
      gst_caps_unref (expected);
      gst_caps_unref (caps);
      gst_buffer_unref (buffer);
      fb_image_free (out);
    }
    fb_image_free (frame);
  }
  fb_test_run_stop (&run);
}

GST_END_TEST;

/* The same through a harness, where the element sees nothing of a source's restart
 * but the new caps: EOS, then READY (or NULL) and back, and the next frame is
 * restyled. */
GST_START_TEST (test_eos_then_restart_in_harness)
{
  const GstState stops[] = { GST_STATE_READY, GST_STATE_NULL };
  FbLandmarks truth;
  FbImage *frame, *out;
  GstBuffer *buffer;
  guint i, k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre_320x240, 320, 240, &truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, 320, 240, "style", test_styles.blue, NULL);
  for (i = 0; i <= G_N_ELEMENTS (stops); i++) {
    for (k = 0; k < 4; k++) {
      double red_minus_blue;

      buffer = run_push (&run, frame, &out);
      red_minus_blue = fb_test_mean_red_minus_blue (out, fb_test_inner_face (&truth));
      fail_unless_equals_int (fb_test_count_faces (buffer), 1);
      fail_unless (red_minus_blue < BLUE_SKIN, "run %u, frame %u: face not restyled "
          "(red - blue = %.1f)", i, k, red_minus_blue);
      gst_buffer_unref (buffer);
      fb_image_free (out);
    }
    if (i == G_N_ELEMENTS (stops))
      break;
    fail_unless (gst_harness_push_event (run.h, gst_event_new_eos ()));
    fail_unless (gst_element_set_state (run.h->element, stops[i]) ==
        GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (run.h->element, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_SUCCESS);
    /* a source's restart: its pads' sticky events start again */
    run.n_pushed = 0;
    fail_unless (gst_harness_push_event (run.h,
            gst_event_new_stream_start ("restarted")));
    fb_test_run_set_caps (&run, GST_VIDEO_FORMAT_I420, 320, 240);
  }
  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

typedef struct
{
  GstElement *element;
  gint stop;
  guint n_sets;
} Toggler;

/* Every property that may change while playing, and those documented as read at
 * start (which must do no harm either), over and over. */
static gpointer
toggle_properties (gpointer data)
{
  Toggler *toggler = data;
  guint i;

  for (i = 0; !g_atomic_int_get (&toggler->stop); i++) {
    g_object_set (toggler->element, "voting", 1 + 2 * (i % 3),
        "threshold", i % 2 ? 20.0f : 80.0f, "mask-feather", i % 2 ? 0.0f : 0.1f,
        "lambda-temporal", i % 2 ? 0.0f : 2.0f, "smoothing", i % 2 ? 0.0f : 0.9f,
        "stylize-background", i % 4 == 0, "debug-view", FB_DEBUG_VIEW_NONE + i % 6,
        "max-faces", 1 + i % 3, "min-face-size", i % 2 ? 60 : 100,
        "detect-interval", 1 + i % 5, "synthesis-resolution", i % 2,
        "post-messages", i % 2 == 0, "strength", i % 3 / 2.0, NULL);
    /* a style change or new weights start a preparation on a thread of its own */
    if (i % 50 == 0)
      g_object_set (toggler->element, "style", i % 100 ? test_styles.plain :
          test_styles.blue, NULL);
    if (i % 70 == 0)
      g_object_set (toggler->element, "lambda-pos", i % 140 ? 8.0f : 10.0f, NULL);
    toggler->n_sets++;
    g_usleep (200);
  }
  return NULL;
}

/* Properties set from another thread while frames flow: no crash, no deadlock, no
 * critical (gst-check makes them fatal), and once it stops the element restyles as
 * the properties then say. */
GST_START_TEST (test_properties_from_another_thread)
{
  Toggler toggler = { NULL, FALSE, 0 };
  FbLandmarks truth;
  FbImage *frame, *out;
  GstBuffer *buffer;
  GstBus *bus;
  GThread *thread;
  guint k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  frame = fb_test_render_face (&test_styles.astronaut, centre_320x240, 320, 240, &truth);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, 320, 240, "style", test_styles.blue, NULL);
  toggler.element = run.h->element;
  thread = g_thread_new ("toggler", toggle_properties, &toggler);
  for (k = 0; k < 60; k++) {
    buffer = run_push (&run, frame, NULL);
    fail_unless (fb_test_count_faces (buffer) <= 2);
    gst_buffer_unref (buffer);
  }
  g_atomic_int_set (&toggler.stop, TRUE);
  g_thread_join (thread);
  GST_INFO ("%u rounds of property changes over 60 frames", toggler.n_sets);
  fail_unless (toggler.n_sets > 60);

  /* back to the defaults and the blue style (the last one set may be plain) */
  g_object_set (run.h->element, "voting", 3, "debug-view", FB_DEBUG_VIEW_NONE,
      "max-faces", 4, "min-face-size", 100, "detect-interval", 5,
      "stylize-background", FALSE, "post-messages", FALSE, "style", test_styles.blue,
      "lambda-pos", 10.0f, "strength", 1.0, NULL);
  for (k = 0; k < 100; k++) {
    double red_minus_blue;

    buffer = run_push (&run, frame, &out);
    red_minus_blue = fb_test_mean_red_minus_blue (out, fb_test_inner_face (&truth));
    gst_buffer_unref (buffer);
    fb_image_free (out);
    if (red_minus_blue < BLUE_SKIN)
      break;
    g_usleep (30000);
  }
  fail_unless (k < 100, "the face is not restyled once the properties settle");
  /* the toggler's post-messages filled the bus with face messages: only errors and
   * warnings matter */
  bus = gst_element_get_bus (run.h->element);
  fb_test_assert_bus_quiet (bus);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  fb_test_run_stop (&run);
  fb_image_free (frame);
}

GST_END_TEST;

typedef struct
{
  Player player;
  gboolean blue;                /* restyled by the swapped exemplar, else by another */
  guint n_restyled;
} Concurrent;

static gpointer
pull_frames (gpointer data)
{
  Concurrent *c = data;
  GstVideoInfo *info = &c->player.info;
  FbImage *in = fb_test_buffer_to_rgb (c->player.picture, info);
  FbRect inner = fb_test_inner_face (&c->player.truth);
  guint i;

  for (i = 0; i < 20; i++) {
    GstBuffer *buffer = player_pull (&c->player);
    FbImage *out;

    if (!buffer)
      break;
    out = fb_test_buffer_to_rgb (buffer, info);
    if (fb_test_count_faces (buffer) == 1 && (c->blue ?
            fb_test_mean_red_minus_blue (out, inner) < BLUE_SKIN :
            fb_test_mean_abs_diff (in, out, inner) > RESTYLED_DIFFERENCE))
      c->n_restyled++;
    fb_image_free (out);
    gst_buffer_unref (buffer);
  }
  fb_image_free (in);
  return NULL;
}

/* Two pipelines in one process at the same time, each with its own faceblit, style
 * and face: the astronaut turned blue, Grace Hopper in the bundled default style. */
GST_START_TEST (test_two_elements_at_once)
{
  Concurrent a, b;
  GThread *threads[2];
  gchar *oil;
  FbTestPlacement grace_centre = { 160, 120, 0, 0 };

  if (!have_face_data () || !grace_hopper.image)
    return;
  /* her face 110 px wide, as the astronaut's */
  grace_centre.scale = 110 / fb_landmarks_face_width (&grace_hopper.landmarks);
  oil = fb_test_source_data_path ("styles/" FB_DEFAULT_STYLE_NAME ".png");
  player_init (&a.player, &test_styles.astronaut, GST_VIDEO_FORMAT_I420, 320, 240,
      centre_320x240, test_styles.blue);
  player_init (&b.player, &grace_hopper, GST_VIDEO_FORMAT_I420, 320, 240, grace_centre,
      oil);
  a.blue = TRUE;
  b.blue = FALSE;
  a.n_restyled = b.n_restyled = 0;
  player_set_state (&a.player, GST_STATE_PLAYING);
  player_set_state (&b.player, GST_STATE_PLAYING);
  threads[0] = g_thread_new ("a", pull_frames, &a);
  threads[1] = g_thread_new ("b", pull_frames, &b);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);
  fail_unless_equals_int (a.n_restyled, 20);
  fail_unless_equals_int (b.n_restyled, 20);
  player_clear (&a.player);
  player_clear (&b.player);
  g_free (oil);
}

GST_END_TEST;

/* ---------------------------------------------------------------------------------
 * Many faces, faces at the borders, a face across sizes. */

static void
paste (FbImage * into, const FbImage * tile, int x0, int y0)
{
  int y;

  for (y = 0; y < tile->height; y++)
    memcpy (fb_image_row (into, y0 + y) + 3 * x0, fb_image_row (tile, y),
        3 * tile->width);
}

/* 16 astronauts in a 4 x 4 grid: all 16 found at the first frame (it detects at once)
 * and every one restyled. */
GST_START_TEST (test_sixteen_faces)
{
  const int tile = 220;
  FbTestPlacement p = { tile / 2.0f, tile / 2.0f + 8, 1.4f, 0 };
  FbLandmarks truth, moved;
  FbImage *one, *grid, *out;
  GstBuffer *buffer;
  guint k;
  int i, j, n;
  FbTestRun run;

  if (!have_face_data ())
    return;
  one = fb_test_render_face (&test_styles.astronaut, p, tile, tile, &truth);
  grid = fb_image_new (4 * tile, 4 * tile, 3);
  for (i = 0; i < 4; i++)
    for (j = 0; j < 4; j++)
      paste (grid, one, i * tile, j * tile);
  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, 4 * tile, 4 * tile, "style", test_styles.blue,
      "max-faces", FB_TRACKER_MAX_FACES, NULL);
  for (k = 0; k < 3; k++) {
    buffer = run_push (&run, grid, &out);
    fail_unless_equals_int (fb_test_count_faces (buffer), 16);
    for (i = 0; i < 4; i++)
      for (j = 0; j < 4; j++) {
        FbSimilarity shift = { 1, 0, i * tile, j * tile };
        double red_minus_blue;

        fb_landmarks_transform (&truth, shift, &moved);
        red_minus_blue = fb_test_mean_red_minus_blue (out, fb_test_inner_face (&moved));
        fail_unless (red_minus_blue < BLUE_SKIN, "frame %u, face %d,%d not restyled "
            "(red - blue = %.1f)", k, i, j, red_minus_blue);
      }
    gst_buffer_unref (buffer);
    fb_image_free (out);
  }
  /* the faces meta lists all of them too */
  buffer = run_push (&run, grid, NULL);
  n = gst_buffer_get_n_meta (buffer, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
  fail_unless_equals_int (n, 16);
  gst_buffer_unref (buffer);
  fb_test_run_stop (&run);
  fb_image_free (grid);
  fb_image_free (one);
}

GST_END_TEST;

#define BORDER_WIDTH 480
#define BORDER_HEIGHT 360

/* The face's centre on every border and corner, and beyond them by a third of a face:
 * whatever part of it shows, nothing breaks. */
GST_START_TEST (test_faces_cut_by_borders)
{
  const float xs[] = { 0, BORDER_WIDTH / 2.0f, BORDER_WIDTH };
  const float ys[] = { 0, BORDER_HEIGHT / 2.0f, BORDER_HEIGHT };
  const float beyond[] = { 0.0f, 0.3f };
  guint i, j, b, k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  fb_test_run_start (&run, GST_VIDEO_FORMAT_NV12, BORDER_WIDTH, BORDER_HEIGHT, "style",
      test_styles.blue, "detect-interval", 1, NULL);
  for (i = 0; i < G_N_ELEMENTS (xs); i++)
    for (j = 0; j < G_N_ELEMENTS (ys); j++)
      for (b = 0; b < G_N_ELEMENTS (beyond); b++) {
        FbTestPlacement p = { xs[i], ys[j], 1.2f, 0 };
        FbImage *frame;
        float push = beyond[b] * 1.2f * fb_landmarks_face_width
            (&test_styles.astronaut.landmarks);

        if (i == 1 && j == 1)
          continue;
        p.x += i == 0 ? -push : i == 2 ? push : 0;
        p.y += j == 0 ? -push : j == 2 ? push : 0;
        frame = fb_test_render_face (&test_styles.astronaut, p, BORDER_WIDTH,
            BORDER_HEIGHT, NULL);
        for (k = 0; k < 4; k++) {
          GstBuffer *buffer = run_push (&run, frame, NULL);

          fail_unless (fb_test_count_faces (buffer) <= 1);
          gst_buffer_unref (buffer);
        }
        fb_image_free (frame);
      }
  fb_test_run_stop (&run);
}

GST_END_TEST;

/* The face slides out over one border until half of it shows, stays there, and
 * slides back: once it is whole again it is found and restyled within a few frames,
 * although the harness pushes frames far faster than real time (so detection, on its
 * own thread, takes many frames) and the face moves 20 px a frame. */
static void
check_slide_out_and_back (float dx, float dy)
{
  const int n_slide = 12, n_stay = 10;
  FbTestPlacement inside = { BORDER_WIDTH / 2.0f, BORDER_HEIGHT / 2.0f, 1.2f, 0 };
  float face = 1.2f * fb_landmarks_face_width (&test_styles.astronaut.landmarks);
  /* centre on the border: half of the face is out */
  FbTestPlacement out = { inside.x + dx * BORDER_WIDTH / 2.0f,
    inside.y + dy * BORDER_HEIGHT / 2.0f, 1.2f, 0
  };
  int k, n_frames = 2 * n_slide + n_stay, first_whole = -1, found_at = -1;
  FbTestRun run;

  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, BORDER_WIDTH, BORDER_HEIGHT, "style",
      test_styles.blue, NULL);
  /* Detection runs on a thread of its own, so how many frames the face takes to be
   * found again depends on the machine's load (within 10 alone, 13 seen beside five
   * other test programs on 2 cores): what is checked is that it is found, as one face,
   * within the 30 frames after the slide's end. */
  for (k = 0; k < n_frames + 30 && found_at < 0; k++) {
    float t = k < n_slide ? (float) k / n_slide : k < n_slide + n_stay ? 1.0f :
        MAX (0.0f, 1.0f - (float) (k - n_slide - n_stay) / n_slide);
    FbTestPlacement p = { inside.x + t * (out.x - inside.x),
      inside.y + t * (out.y - inside.y), 1.2f, 0
    };
    FbLandmarks truth;
    float x0, y0, x1, y1;
    FbImage *frame = fb_test_render_face (&test_styles.astronaut, p, BORDER_WIDTH,
        BORDER_HEIGHT, &truth);
    FbImage *rgb;
    GstBuffer *buffer = run_push (&run, frame, &rgb);
    gboolean whole;

    fb_landmarks_bounds (&truth, &x0, &y0, &x1, &y1);
    /* whole: inside the frame with a margin of a tenth of a face */
    whole = x0 > 0.1f * face && y0 > 0.1f * face && x1 < BORDER_WIDTH - 0.1f * face
        && y1 < BORDER_HEIGHT - 0.1f * face;
    if (k >= n_slide + n_stay && whole && first_whole < 0)
      first_whole = k;
    if (first_whole >= 0 && fb_test_count_faces (buffer) == 1
        && fb_test_mean_red_minus_blue (rgb, fb_test_inner_face (&truth)) < BLUE_SKIN)
      found_at = k;
    fail_unless (fb_test_count_faces (buffer) <= 1, "frame %d: %u faces", k,
        fb_test_count_faces (buffer));
    gst_buffer_unref (buffer);
    fb_image_free (rgb);
    fb_image_free (frame);
  }
  GST_INFO ("slid out by (%.0f, %.0f): whole again at frame %d, found at %d", dx, dy,
      first_whole, found_at);
  fail_unless (first_whole >= 0);
  fail_unless (found_at >= 0, "slid out by (%.0f, %.0f) and back: not found within "
      "30 frames of the slide's end", dx, dy);
  fb_test_run_stop (&run);
}

GST_START_TEST (test_face_slides_out_and_back)
{
  if (!have_face_data ())
    return;
  check_slide_out_and_back (-1, 0);
  check_slide_out_and_back (1, 0);
  check_slide_out_and_back (0, -1);
  check_slide_out_and_back (0, 1);
}

GST_END_TEST;

#define HUGE_SIDE 2560

/* A face 2000 px wide halves down to 20 px and doubles back up, on a 2560 x 2560
 * frame. Each size is a discontinuity, so each frame is a detection of its own (no
 * tracker follows a face that halves from frame to frame): the face is found whenever
 * it is comfortably larger than min-face-size, never once it is far smaller, and the
 * large faces are restyled. */
GST_START_TEST (test_face_from_2000_to_20_px)
{
  const float widths[] = { 2000, 1000, 500, 250, 125, 62, 31, 20 };
  const int n = G_N_ELEMENTS (widths), min_face_size = 160;
  float face = fb_landmarks_face_width (&test_styles.astronaut.landmarks);
  gint64 start = g_get_monotonic_time ();
  int k;
  FbTestRun run;

  if (!have_face_data ())
    return;
  fb_test_run_start (&run, GST_VIDEO_FORMAT_I420, HUGE_SIDE, HUGE_SIDE, "style",
      test_styles.blue, "min-face-size", min_face_size, NULL);
  for (k = 0; k < 2 * n - 1; k++) {
    float width = widths[k < n ? k : 2 * n - 2 - k];
    FbTestPlacement p = { HUGE_SIDE / 2.0f, HUGE_SIDE / 2.0f, width / face, 0 };
    FbLandmarks truth;
    FbImage *frame = fb_test_render_face (&test_styles.astronaut, p, HUGE_SIDE,
        HUGE_SIDE, &truth);
    FbImage *out;
    GstBuffer *buffer = run_push_flagged (&run, frame, TRUE, &out);
    guint n_found = fb_test_count_faces (buffer);
    float found_width = fb_landmarks_face_width (&truth);

    GST_INFO ("face %.0f px wide: %u found", found_width, n_found);
    if (found_width > 1.5f * min_face_size) {
      double red_minus_blue = fb_test_mean_red_minus_blue (out,
          fb_test_inner_face (&truth));

      fail_unless_equals_int (n_found, 1);
      fail_unless (red_minus_blue < BLUE_SKIN, "a face %.0f px wide is not restyled "
          "(red - blue = %.1f)", found_width, red_minus_blue);
    } else if (found_width < 0.5f * min_face_size) {
      fail_unless_equals_int (n_found, 0);
    }
    gst_buffer_unref (buffer);
    fb_image_free (out);
    fb_image_free (frame);
  }
  GST_INFO ("%d frames of %d x %d: %.1f s", 2 * n - 1, HUGE_SIDE, HUGE_SIDE,
      (g_get_monotonic_time () - start) / 1e6);
  fb_test_run_stop (&run);
}

GST_END_TEST;

static Suite *
lifecycle_suite (void)
{
  Suite *s = suite_create ("faceblit-lifecycle");
  TCase *tc;

  suite_add_tcase (s, tc = tcase_create ("state-cycles"));
  tcase_add_test (tc, test_state_cycles);
  suite_add_tcase (s, tc = tcase_create ("renegotiation"));
  tcase_add_test (tc, test_renegotiation);
  suite_add_tcase (s, tc = tcase_create ("eos-then-restart"));
  tcase_add_test (tc, test_eos_then_restart);
  tcase_add_test (tc, test_eos_then_restart_in_harness);
  suite_add_tcase (s, tc = tcase_create ("properties-from-another-thread"));
  tcase_add_test (tc, test_properties_from_another_thread);
  suite_add_tcase (s, tc = tcase_create ("two-elements-at-once"));
  tcase_add_test (tc, test_two_elements_at_once);
  suite_add_tcase (s, tc = tcase_create ("sixteen-faces"));
  tcase_add_test (tc, test_sixteen_faces);
  suite_add_tcase (s, tc = tcase_create ("faces-cut-by-borders"));
  tcase_add_test (tc, test_faces_cut_by_borders);
  suite_add_tcase (s, tc = tcase_create ("face-slides-out-and-back"));
  tcase_add_test (tc, test_face_slides_out_and_back);
  suite_add_tcase (s, tc = tcase_create ("face-from-2000-to-20-px"));
  tcase_add_test (tc, test_face_from_2000_to_20_px);
  return s;
}

int
main (int argc, char **argv)
{
  const gchar *grace_path = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";
  gchar *source_data_dir;
  int failed;

  if (!fb_test_program_init (&argc, &argv, "faceblit-lifecycle-XXXXXX", &source_data_dir,
          &tmp_dir))
    return 1;
  if (fb_test_styles_prepare (&test_styles, tmp_dir)
      && g_file_test (grace_path, G_FILE_TEST_EXISTS)) {
    FbShapeModel *model = fb_shape_model_load (fb_test_model_path (), NULL);
    GError *error = NULL;

    if (!model || !fb_test_face_load (&grace_hopper, grace_path, model, &error)) {
      g_printerr ("cannot prepare Grace Hopper: %s\n", error ? error->message : "");
      return 1;
    }
    fb_shape_model_free (model);
  } else if (test_styles.astronaut.image) {
    g_print ("SKIP: two-elements-at-once needs Grace Hopper (python3-matplotlib)\n");
  }

  failed = gst_check_run_suite (lifecycle_suite (), "faceblit-lifecycle", __FILE__);

  fb_test_face_clear (&grace_hopper);
  fb_test_styles_clear (&test_styles);
  fb_test_program_finish (source_data_dir, tmp_dir);
  return failed;
}
