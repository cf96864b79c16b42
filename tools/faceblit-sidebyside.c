/* faceblit-sidebyside — one picture of what faceblit does: a frame of the input video, the
 * style exemplar and the same frame of the stylized video, side by side; or, given
 * several styles, a grid of the input frame and that frame in every style, each with its
 * exemplar in a corner.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "fb-image-io.h"
#include "fb-tool-util.h"

#define GAP 12
#define GAP_GREY 32

/* Decodes `path` and returns frame number `index` (from 0) as RGB. */
static FbImage *
read_video_frame (const char *path, int index, GError ** error)
{
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch ("filesrc name=src ! decodebin "
      "! videoconvert ! videoscale ! video/x-raw,format=RGB,pixel-aspect-ratio=1/1 "
      "! appsink name=sink sync=false max-buffers=4", &parse_error);
  g_autoptr (GstElement) src = NULL, sink = NULL;
  FbImage *frame = NULL;
  int n = 0;

  if (!pipeline || parse_error) {
    g_set_error (error, FB_TOOL_ERROR, 0, "Cannot build a decoding pipeline: %s. Install "
        "the GStreamer plugins (tools/install-deps does).",
        parse_error ? parse_error->message : "unknown error");
    return NULL;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", path, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while (!frame) {
    g_autoptr (GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    GstVideoInfo info;
    GstVideoFrame video;
    int y;

    if (!sample)
      break;
    if (n++ < index)
      continue;
    if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
        || !gst_video_frame_map (&video, &info, gst_sample_get_buffer (sample),
            GST_MAP_READ))
      break;
    frame = fb_image_new (info.width, info.height, 3);
    for (y = 0; y < info.height; y++)
      memcpy (fb_image_row (frame, y), (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&video,
              0) + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&video, 0), info.width * 3);
    gst_video_frame_unmap (&video);
  }

  if (!frame) {
    g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
    g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg) {
      g_autoptr (GError) gst_error = NULL;
      gst_message_parse_error (msg, &gst_error, NULL);
      g_set_error (error, FB_TOOL_ERROR, 0, "Cannot decode %s: %s", path,
          gst_error->message);
    } else {
      g_set_error (error, FB_TOOL_ERROR, 0, "%s has %d frames, no frame %d; choose a "
          "smaller --frame", path, n, index);
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frame;
}

/* Resizes to the given height keeping the aspect ratio: halvings first (an average, no
 * aliasing), then bilinear. */
static FbImage *
scale_to_height (const FbImage * image, int height)
{
  g_autoptr (FbImage) work = fb_image_copy (image);
  const int width = MAX (1, (int) lround ((double) image->width * height / image->height));
  FbImage *out;
  int x, y, c;

  while (work->height >= 2 * height) {
    FbImage *half = fb_image_downscale_2x (work);
    fb_image_free (work);
    work = half;
  }
  out = fb_image_new (width, height, 3);
  for (y = 0; y < height; y++) {
    const float v = CLAMP ((y + 0.5f) * work->height / height - 0.5f, 0.0f,
        work->height - 1.001f);
    const int v0 = (int) v;
    const float fv = v - v0;
    const uint8_t *r0 = fb_image_row (work, v0);
    const uint8_t *r1 = fb_image_row (work, MIN (v0 + 1, work->height - 1));
    uint8_t *row = fb_image_row (out, y);
    for (x = 0; x < width; x++) {
      const float u = CLAMP ((x + 0.5f) * work->width / width - 0.5f, 0.0f,
          work->width - 1.001f);
      const int u0 = (int) u, u1 = MIN (u0 + 1, work->width - 1);
      const float fu = u - u0;
      const int k = work->channels;
      for (c = 0; c < 3; c++) {
        const float a = r0[u0 * k + c] * (1 - fu) + r0[u1 * k + c] * fu;
        const float b = r1[u0 * k + c] * (1 - fu) + r1[u1 * k + c] * fu;
        row[x * 3 + c] = (uint8_t) (a * (1 - fv) + b * fv + 0.5f);
      }
    }
  }
  return out;
}

/* Copies src into dst with its top left corner at (x0, y0). */
static void
paste (FbImage * dst, const FbImage * src, int x0, int y0)
{
  int y;

  for (y = 0; y < src->height && y0 + y < dst->height; y++)
    memcpy (fb_image_row (dst, y0 + y) + x0 * 3, fb_image_row (src, y),
        MIN (src->width, dst->width - x0) * 3);
}

/* input | style | output at one height. */
static FbImage *
side_by_side (FbImage * raw[3], int height)
{
  FbImage *panels[3], *picture;
  int total_width = 2 * GAP, x = 0, i;

  for (i = 0; i < 3; i++) {
    panels[i] = scale_to_height (raw[i], height);
    total_width += panels[i]->width;
  }
  picture = fb_image_new (total_width, height, 3);
  memset (picture->data, GAP_GREY, (size_t) picture->stride * height);
  for (i = 0; i < 3; i++) {
    paste (picture, panels[i], x, 0);
    x += panels[i]->width + GAP;
    fb_image_free (panels[i]);
  }
  return picture;
}

/* The input frame, then each stylized frame with its exemplar in the top left corner,
 * `columns` cells a row, each cell `height` high. */
static FbImage *
grid (FbImage * input, FbImage ** styles, FbImage ** outputs, int n_styles, int columns,
    int height)
{
  g_autoptr (FbImage) first = scale_to_height (input, height);
  const int cell_w = first->width, rows = (n_styles + 1 + columns - 1) / columns;
  const int inset_h = height * 2 / 5, border = MAX (1, GAP / 4);
  FbImage *picture = fb_image_new (columns * cell_w + (columns - 1) * GAP,
      rows * height + (rows - 1) * GAP, 3);
  int i;

  memset (picture->data, GAP_GREY, (size_t) picture->stride * picture->height);
  paste (picture, first, 0, 0);
  for (i = 0; i < n_styles; i++) {
    const int x = ((i + 1) % columns) * (cell_w + GAP);
    const int y = ((i + 1) / columns) * (height + GAP);
    g_autoptr (FbImage) cell = scale_to_height (outputs[i], height);
    g_autoptr (FbImage) inset = scale_to_height (styles[i], inset_h);
    g_autoptr (FbImage) frame = fb_image_new (inset->width + 2 * border,
        inset->height + 2 * border, 3);
    memset (frame->data, GAP_GREY, (size_t) frame->stride * frame->height);
    paste (frame, inset, border, border);
    paste (cell, frame, 0, 0);
    paste (picture, cell, x, y);
  }
  return picture;
}

int
main (int argc, char **argv)
{
  int frame_index = 30, height = 0, columns = 4, n_styles, i;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    {"frame", 'n', 0, G_OPTION_ARG_INT, &frame_index,
        "Which frame of the videos to show, from 0 (default 30)", "N"},
    {"height", 'H', 0, G_OPTION_ARG_INT, &height,
        "Height of the picture, or of a grid's cells (default: the input video's, or "
          "half of it in a grid)", "PX"},
    {"columns", 'c', 0, G_OPTION_ARG_INT, &columns,
        "Cells a row in a grid (default 4)", "N"},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Overwrite OUT.png if it exists", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("INPUT-VIDEO STYLE-IMAGE STYLIZED-VIDEO [STYLE-IMAGE "
      "STYLIZED-VIDEO ...] OUT.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbToolOutput) output = NULL;
  g_autoptr (FbImage) picture = NULL, input = NULL;
  FbImage **styles, **outputs;
  const char *out_path;
  gboolean ok = TRUE;

  /* The terminal's character set for messages; numbers stay in C format for files. */
  setlocale (LC_CTYPE, "");
  g_option_context_set_summary (context,
      "Writes one PNG with a frame of INPUT-VIDEO, the style exemplar and the same frame\n"
      "of STYLIZED-VIDEO, side by side at one height: what the faceblit demo shows.\n"
      "Given several styles and their stylized videos, a grid instead: the input frame,\n"
      "then the frame in each style with its exemplar in the top left corner.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fb_tool_usage (context, error->message);
  if (argc < 5 || (argc - 3) % 2)
    return fb_tool_usage (context, "Give INPUT-VIDEO, then STYLE-IMAGE and STYLIZED-VIDEO "
        "(once or more), then OUT.png");
  if (frame_index < 0 || height < 0 || height > 4096 || columns < 1 || columns > 16)
    return fb_tool_usage (context, "--frame must be at least 0, --height from 1 to 4096, "
        "--columns from 1 to 16");
  n_styles = (argc - 3) / 2;
  out_path = argv[argc - 1];

  output = fb_tool_output_begin (out_path, force, &error);
  if (!output)
    return fb_tool_fail (error);
  input = read_video_frame (argv[1], frame_index, &error);
  if (!input)
    return fb_tool_fail (error);
  styles = g_new0 (FbImage *, n_styles);
  outputs = g_new0 (FbImage *, n_styles);
  for (i = 0; i < n_styles && ok; i++)
    ok = (styles[i] = fb_image_load (argv[2 + 2 * i], &error))
        && (outputs[i] = read_video_frame (argv[3 + 2 * i], frame_index, &error));
  if (ok && n_styles == 1) {
    FbImage *raw[3] = { input, styles[0], outputs[0] };
    picture = side_by_side (raw, height ? height : input->height);
  } else if (ok) {
    picture = grid (input, styles, outputs, n_styles, columns,
        height ? height : input->height / 2);
  }
  for (i = 0; i < n_styles; i++) {
    fb_image_free (styles[i]);
    fb_image_free (outputs[i]);
  }
  g_free (styles);
  g_free (outputs);
  if (!ok || !fb_image_save_png (picture, output->temp_path, &error)
      || !fb_tool_output_commit (output, &error))
    return fb_tool_fail (error);
  if (n_styles == 1)
    g_print ("Wrote %s (input | style | output, frame %d)\n", out_path, frame_index);
  else
    g_print ("Wrote %s (the input and %d styles, frame %d)\n", out_path, n_styles,
        frame_index);
  return 0;
}
