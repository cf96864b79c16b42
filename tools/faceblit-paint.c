/* faceblit-paint — the project's own painting and drawing filter: turns a photograph
 * into an oil painting, a pencil, charcoal or pastel drawing, a watercolour or an ink
 * drawing (the media are in tools/fb-medium-*.c). The project makes its bundled style
 * exemplars with it from public-domain portraits (tools/make-styles).
 * Deterministic: the same input, options and seed give the same bytes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "fb-image-io.h"
#include "fb-medium.h"
#include "fb-tool-util.h"

static const struct {
  const char *name;
  FbMediumFunc paint;
  int channels;                 /* 1: a drawing in greys, written as a grey PNG */
  const char *description;
} media[] = {
  {"oil", fb_medium_oil, 3, "bristle brush strokes and impasto on a primed canvas"},
  {"pencil", fb_medium_pencil, 1, "graphite hatching and outlines on white paper"},
  {"charcoal", fb_medium_charcoal, 1, "broad smudged charcoal strokes on grey paper"},
  {"pastel", fb_medium_pastel, 3, "soft chalk pastel strokes on tinted paper"},
  {"watercolour", fb_medium_watercolour, 3,
      "transparent washes with dark edges on rough paper"},
  {"ink", fb_medium_ink, 1, "pen lines, grey ink washes and hatching"},
};

static char *
media_description (void)
{
  GString *text = g_string_new ("Media:\n");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (media); i++)
    g_string_append_printf (text, "  %-12s %s\n", media[i].name, media[i].description);
  g_string_append (text, "\nExample:\n  faceblit-paint --medium charcoal --crop 117,-3,218,291 "
      "--size 768x1024 portrait.png charcoal.png\n\n"
      "Nothing is overwritten without --force. Exit status: 0 success, 1 failure,\n"
      "2 wrong usage.");
  return g_string_free (text, FALSE);
}

int
main (int argc, char **argv)
{
  g_autofree char *crop_text = NULL, *size_text = NULL, *medium_name = NULL;
  g_autofree char *description = NULL;
  double stroke_scale = 1.0, relief = 1.0;
  int seed = 1;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    {"medium", 'm', 0, G_OPTION_ARG_STRING, &medium_name,
        "What to paint or draw with (default oil; the list is below)", "NAME"},
    {"crop", 'c', 0, G_OPTION_ARG_STRING, &crop_text,
        "Region of INPUT to paint, in its pixels (may reach past the edges, which are "
          "mirrored). Default: all of it", "X,Y,W,H"},
    {"size", 's', 0, G_OPTION_ARG_STRING, &size_text,
        "Size of the painting. Default: the crop's size", "WxH"},
    {"stroke-scale", 0, 0, G_OPTION_ARG_DOUBLE, &stroke_scale,
        "Multiply every brush and line size by this (default 1: oil brush radii from "
          "1.2 % down to 0.18 % of the painting's diagonal)", "F"},
    {"relief", 0, 0, G_OPTION_ARG_DOUBLE, &relief,
        "Oil: strength of the impasto lighting, 0 for flat paint (default 1)", "F"},
    {"seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the strokes' randomness (default 1)",
        "N"},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Overwrite OUTPUT if it exists", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("INPUT OUTPUT.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (FbImage) photo = NULL;
  g_autoptr (FbImage) result = NULL;
  g_autoptr (FbToolOutput) output = NULL;
  g_autoptr (FbCanvas) image = NULL, painting = NULL;
  FbMediumParams params;
  double crop[4], size[2];
  int width, height, medium = 0;

  /* The terminal's character set for messages; numbers stay in C format for files. */
  setlocale (LC_CTYPE, "");
  description = media_description ();
  g_option_context_set_summary (context,
      "Paints or draws INPUT (PNG or JPEG) in one medium and writes OUTPUT.png: the\n"
      "project's own filter, used to make its bundled style exemplars (tools/make-styles).\n"
      "The result depends only on INPUT and the options.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fb_tool_usage (context, error->message);
  if (argc != 3)
    return fb_tool_usage (context, "Give an INPUT image and an OUTPUT.png");
  if (stroke_scale <= 0.1 || stroke_scale > 10 || relief < 0 || relief > 10)
    return fb_tool_usage (context, "--stroke-scale must be in (0.1, 10], --relief in [0, 10]");
  if (medium_name) {
    for (medium = 0; medium < (int) G_N_ELEMENTS (media); medium++)
      if (g_str_equal (media[medium].name, medium_name))
        break;
    if (medium == (int) G_N_ELEMENTS (media))
      return fb_tool_usage (context, "Unknown --medium: the media are listed in --help");
  }

  photo = fb_image_load (argv[1], &error);
  if (!photo)
    return fb_tool_fail (error);
  if (crop_text) {
    if (!fb_tool_parse_numbers (crop_text, ",", crop, 4) || crop[2] < 8 || crop[3] < 8)
      return fb_tool_usage (context, "--crop wants X,Y,W,H with W and H at least 8");
  } else {
    crop[0] = crop[1] = 0;
    crop[2] = photo->width;
    crop[3] = photo->height;
  }
  if (size_text) {
    if (!fb_tool_parse_numbers (size_text, "x", size, 2) || size[0] < 16 || size[1] < 16
        || size[0] > 8192 || size[1] > 8192)
      return fb_tool_usage (context, "--size wants WxH, each from 16 to 8192");
  } else {
    size[0] = MIN (8192, round (crop[2]));
    size[1] = MIN (8192, round (crop[3]));
  }
  width = (int) size[0];
  height = (int) size[1];
  output = fb_tool_output_begin (argv[2], force, &error);
  if (!output)
    return fb_tool_fail (error);

  params.unit = (float) (hypotf (width, height) * 0.003 * stroke_scale);
  params.relief = (float) relief;
  params.seed = (uint32_t) seed;
  g_print ("Painting %s (%dx%d) in %s\n", argv[1], width, height, media[medium].name);
  image = fb_canvas_crop_and_scale (photo, crop, width, height);
  painting = media[medium].paint (image, &params);
  result = fb_canvas_to_image (painting, media[medium].channels);
  if (!fb_image_save_png (result, output->temp_path, &error)
      || !fb_tool_output_commit (output, &error))
    return fb_tool_fail (error);
  g_print ("Wrote %s\n", argv[2]);
  return 0;
}
