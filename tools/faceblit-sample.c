/* faceblit-sample — writes a sample video of a face (by default Debian's public-domain
 * astronaut portrait) that moves, zooms and turns slightly, as H.264 in MP4 or as raw I420.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "fb-image-io.h"
#include "fb-synth.h"
#include "fb-tool-util.h"

/* Centre of the face in the astronaut portrait, in its pixels. */
#define ASTRONAUT_FACE_X 222.0f
#define ASTRONAUT_FACE_Y 112.0f

typedef enum {
  SAMPLE_MP4,
  SAMPLE_I420,
} SampleFormat;

typedef struct {
  int width;
  int height;
  int frames;
  int fps;
  float anchor_x;               /* the point of the face image that the motion moves */
  float anchor_y;
  float zoom;                   /* the face image's size, times the default */
} SampleMotion;

/* The face's pose in frame i: a slow loop of sideways travel, a little bobbing, zooming
 * in and out by about 20 % and turning by up to ~7 degrees, so that trackers and
 * stylization see every kind of similarity motion. */
static void
sample_pose (const SampleMotion * m, const FbImage * face, int i, float *cx, float *cy,
    float *scale, float *angle)
{
  const float t = (float) i / MAX (m->frames, 1);
  const float two_pi = 2.0f * (float) G_PI;
  const float px = m->width * (0.5f + 0.10f * sinf (two_pi * t));
  const float py = m->height * (0.38f + 0.04f * sinf (2.0f * two_pi * t));
  float ox, oy, c, s;

  *scale = m->zoom * MIN (m->width, m->height) / 320.0f * (1.0f + 0.2f * sinf (1.5f *
          two_pi * t));
  *angle = 0.12f * sinf (1.3f * two_pi * t + 0.4f);
  /* The anchor sits at (px, py): place the image centre accordingly. */
  c = cosf (*angle) * *scale;
  s = sinf (*angle) * *scale;
  ox = m->anchor_x - face->width / 2.0f;
  oy = m->anchor_y - face->height / 2.0f;
  *cx = px - (c * ox - s * oy);
  *cy = py - (s * ox + c * oy);
}

static gboolean
run_pipeline (GstElement * pipeline, GstAppSrc * src, const SampleMotion * m,
    const FbImage * face, FILE * motion_out, GError ** error)
{
  g_autoptr (FbImage) frame = fb_image_new (m->width, m->height, 3);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gboolean ok = TRUE;
  int i;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Could not start the encoding pipeline");
    return FALSE;
  }
  for (i = 0; i < m->frames; i++) {
    GstBuffer *buffer;
    float cx, cy, scale, angle;

    sample_pose (m, face, i, &cx, &cy, &scale, &angle);
    if (motion_out)
      fprintf (motion_out, "%d %.3f %.3f %.5f %.5f\n", i, cx, cy, scale, angle);
    fb_synth_face_frame_into (face, frame, cx, cy, scale, angle);
    buffer = gst_buffer_new_memdup (frame->data, (gsize) frame->stride * frame->height);
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale_int (i, GST_SECOND, m->fps);
    GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale_int (1, GST_SECOND, m->fps);
    if (gst_app_src_push_buffer (src, buffer) != GST_FLOW_OK)
      break;                    /* the bus says why */
  }
  gst_app_src_end_of_stream (src);

  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) gst_error = NULL;
    g_autofree char *debug = NULL;
    gst_message_parse_error (msg, &gst_error, &debug);
    g_set_error (error, FB_TOOL_ERROR, 0, "Encoding failed: %s (%s)",
        gst_error->message, debug ? debug : "no details");
    ok = FALSE;
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

static GstElement *
make_pipeline (SampleFormat format, const SampleMotion * m, const char *location,
    GstAppSrc ** src_out, GError ** error)
{
  /* x264 gets I420 so that the file plays everywhere (it would keep 4:4:4 otherwise). */
  const char *description = format == SAMPLE_MP4 ?
      "appsrc name=src format=time block=true max-bytes=50000000 ! videoconvert "
      "! video/x-raw,format=I420 ! x264enc speed-preset=medium pass=quant quantizer=18 "
      "key-int-max=60 ! video/x-h264,profile=high ! mp4mux ! filesink name=sink"
      : "appsrc name=src format=time block=true max-bytes=50000000 ! videoconvert "
      "! video/x-raw,format=I420 ! filesink name=sink";
  g_autoptr (GError) parse_error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &parse_error);
  GstElement *src, *sink;
  GstCaps *caps;

  if (!pipeline || parse_error) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Cannot build the encoding pipeline: %s. "
        "Install gstreamer1.0-plugins-base, -good and -ugly (tools/install-deps does).",
        parse_error ? parse_error->message : "unknown error");
    if (pipeline)
      gst_object_unref (pipeline);
    return NULL;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
      "width", G_TYPE_INT, m->width, "height", G_TYPE_INT, m->height,
      "framerate", GST_TYPE_FRACTION, m->fps, 1,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set (src, "caps", caps, NULL);
  g_object_set (sink, "location", location, NULL);
  gst_caps_unref (caps);
  gst_object_unref (sink);
  *src_out = GST_APP_SRC (src);
  return pipeline;
}

static gboolean
parse_format (const char *name, const char *output, SampleFormat * format, GError ** error)
{
  if (!name) {
    *format = g_str_has_suffix (output, ".yuv") || g_str_has_suffix (output, ".i420")
        ? SAMPLE_I420 : SAMPLE_MP4;
  } else if (g_str_equal (name, "mp4")) {
    *format = SAMPLE_MP4;
  } else if (g_str_equal (name, "i420")) {
    *format = SAMPLE_I420;
  } else {
    g_set_error (error, FB_TOOL_ERROR, 0, "Unknown --format '%s': use mp4 or i420", name);
    return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  int width = 640, height = 480, frames = 90, fps = 30;
  g_autofree char *face_path = NULL, *format_name = NULL, *motion_path = NULL;
  g_autofree char *centre_text = NULL;
  double zoom = 1.0;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    {"width", 'W', 0, G_OPTION_ARG_INT, &width, "Frame width (default 640)", "PX"},
    {"height", 'H', 0, G_OPTION_ARG_INT, &height, "Frame height (default 480)", "PX"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames, "Number of frames (default 90)", "N"},
    {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frames per second (default 30)", "N"},
    {"face", 0, 0, G_OPTION_ARG_FILENAME, &face_path,
        "Portrait to animate (PNG or JPEG; default: the astronaut from python3-skimage). "
          "Another image is anchored at its centre, or at --face-centre.", "IMAGE"},
    {"face-centre", 0, 0, G_OPTION_ARG_STRING, &centre_text,
        "The point of the --face image that the motion moves (the face's centre), in its "
          "pixels", "X,Y"},
    {"face-scale", 0, 0, G_OPTION_ARG_DOUBLE, &zoom,
        "Size of the face image in the frames, times the default (1: the astronaut's "
          "face about a third of the frame's height)", "F"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
        "mp4 (H.264 in MP4) or i420 (raw frames, for benchmarks). Default: i420 when "
          "OUTPUT ends in .yuv or .i420, mp4 otherwise", "FORMAT"},
    {"motion", 0, 0, G_OPTION_ARG_FILENAME, &motion_path,
        "Also write the ground truth pose, one line per frame: 'frame cx cy scale angle' "
          "(centre of the face image in the frame, its scale, rotation in radians)", "FILE"},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Overwrite OUTPUT (and FILE) if they exist",
        NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("OUTPUT");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) face = NULL;
  g_autoptr (FbToolOutput) output = NULL, motion_output = NULL;
  FILE *motion_file = NULL;
  GstElement *pipeline;
  GstAppSrc *src = NULL;
  SampleFormat format;
  SampleMotion motion;
  gboolean ok;

  /* The terminal's character set for messages; numbers stay in C format for files. */
  setlocale (LC_CTYPE, "");
  g_option_context_set_summary (context,
      "Writes a sample video of a face that moves sideways, zooms in and out and turns\n"
      "slightly over a grey background: input for the faceblit demo, tests and benchmarks.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fb_tool_usage (context, error->message);
  if (argc != 2)
    return fb_tool_usage (context, "Give exactly one OUTPUT file");
  if (width < 16 || height < 16 || width % 2 || height % 2 || frames < 1 || fps < 1
      || zoom < 0.05 || zoom > 20)
    return fb_tool_usage (context, "--width and --height must be even and at least 16; "
        "--frames and --fps at least 1, --face-scale from 0.05 to 20");
  if (!parse_format (format_name, argv[1], &format, &error))
    return fb_tool_fail (error);

  if (!face_path)
    face_path = g_strdup (FB_ASTRONAUT_PATH);
  face = fb_image_load (face_path, &error);
  if (!face) {
    if (g_str_equal (face_path, FB_ASTRONAUT_PATH))
      g_prefix_error (&error, "Install python3-skimage for the default face: ");
    return fb_tool_fail (error);
  }
  motion = (SampleMotion) {
  width, height, frames, fps, face->width / 2.0f, face->height / 2.0f, (float) zoom};
  if (centre_text) {
    char *end;
    motion.anchor_x = (float) g_ascii_strtod (centre_text, &end);
    if (*end != ',' || (motion.anchor_y = (float) g_ascii_strtod (end + 1, &end), *end))
      return fb_tool_usage (context, "--face-centre wants X,Y");
  } else if (g_str_equal (face_path, FB_ASTRONAUT_PATH)) {
    motion.anchor_x = ASTRONAUT_FACE_X;
    motion.anchor_y = ASTRONAUT_FACE_Y;
  }

  output = fb_tool_output_begin (argv[1], force, &error);
  if (!output)
    return fb_tool_fail (error);
  if (motion_path) {
    motion_output = fb_tool_output_begin (motion_path, force, &error);
    if (!motion_output)
      return fb_tool_fail (error);
    motion_file = g_fopen (motion_output->temp_path, "w");
    if (!motion_file) {
      g_printerr ("Cannot write %s: %s\n", motion_output->temp_path, g_strerror (errno));
      return 1;
    }
    fprintf (motion_file, "# frame cx cy scale angle\n");
  }

  pipeline = make_pipeline (format, &motion, output->temp_path, &src, &error);
  if (!pipeline)
    return fb_tool_fail (error);
  ok = run_pipeline (pipeline, src, &motion, face, motion_file, &error);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  if (motion_file && fclose (motion_file) != 0 && ok) {
    g_set_error (&error, FB_TOOL_ERROR, 0, "Cannot write %s: %s", motion_path,
        g_strerror (errno));
    ok = FALSE;
  }
  if (!ok || !fb_tool_output_commit (output, &error)
      || (motion_output && !fb_tool_output_commit (motion_output, &error)))
    return fb_tool_fail (error);
  g_print ("Wrote %s (%dx%d, %d frames at %d fps, %s)\n", argv[1], width, height, frames,
      fps, format == SAMPLE_MP4 ? "H.264/MP4" : "raw I420");
  return 0;
}
