/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-style.h"
#include "fb-cache.h"
#include "fb-face-guides-pixel.h"
#include "fb-image-io.h"
#include "fb-mask.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bump whenever anything that shapes the seed tables changes (guides, blur, the table
 * layout) or the payload's layout does: it is part of the digests, so old cache entries
 * simply stop matching. */
#define STYLE_FORMAT_VERSION 5

#define MIN_FACE_WIDTH 48.0f
#define TABLE_N_APP 32
/* Levels below TABLE_FINE_LEVELS take every second pixel: at level 1 too, which makes
 * its table four times smaller (the cache entry of a 768x1024 exemplar loses 19 MB),
 * since the synthesis refines every lookup against the exact cost anyway. Level 2 is
 * small and keeps every pixel. */
#define TABLE_FINE_LEVELS 2
#define TABLE_STEP_FINE 2
#define TABLE_STEP_COARSE 1

/* Payload: a byte-order mark, the level count, then per level its table geometry
 * (six words), its entries, and its exemplar, blurred exemplar, guide and mask (rows
 * without padding, then zeros to a multiple of 4 bytes): caching the images too spares
 * a warm load the blurs, which cost as much as reading the whole entry, and (with the
 * exemplar) decoding the style file. Native byte order: the cache is per machine. */
#define PAYLOAD_BOM 0x01020304u
#define LEVEL_HEADER_WORDS 6

/* fb_style_load also keeps a small entry per style file, named after a hash of the
 * file's bytes (not its decoded pixels), the landmarks and the parameters: the
 * exemplar's size and the digest of the style built from it, so that a warm load need
 * not decode the file. Its key's prefix keeps it apart from the styles' own entries. */
#define FILE_KEY_PREFIX "file-"
#define DIGEST_LENGTH 64        /* SHA-256 in hex */
typedef struct {
  guint32 bom;
  guint32 width, height;
  char digest[DIGEST_LENGTH];   /* lower-case hex, no terminating zero */
} FileEntry;

G_DEFINE_QUARK (fb-style-error-quark, fb_style_error);

static int
table_step (int level)
{
  return level < TABLE_FINE_LEVELS ? TABLE_STEP_FINE : TABLE_STEP_COARSE;
}

static gboolean
validate_landmarks (int width, int height, const FbLandmarks * lm, GError ** error)
{
  FbPoint eye_r, eye_l, mouth = { 0, 0 }, eyes, across;
  float face_width;
  int i;

  for (i = 0; i < FB_N_LANDMARKS; i++) {
    FbPoint p = lm->points[i];
    if (!(p.x >= -0.5f && p.x <= width - 0.5f && p.y >= -0.5f && p.y <= height - 0.5f)) {
      g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_LANDMARKS,
          "Landmark %d (%g, %g) is not inside the %dx%d style image; the landmarks "
          "must be the style face's 68 points in pixels of this image", i, p.x, p.y,
          width, height);
      return FALSE;
    }
  }
  face_width = fb_landmarks_face_width (lm);
  if (!(face_width >= MIN_FACE_WIDTH)) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_LANDMARKS,
        "The style face is %.0f px wide (jaw point 0 to 16); it must be at least %.0f "
        "px: use a larger exemplar or check the landmarks", face_width, MIN_FACE_WIDTH);
    return FALSE;
  }
  eye_r = fb_landmarks_right_eye_centre (lm);
  eye_l = fb_landmarks_left_eye_centre (lm);
  for (i = FB_LM_MOUTH_FIRST; i < FB_N_LANDMARKS; i++) {
    mouth.x += lm->points[i].x / (FB_N_LANDMARKS - FB_LM_MOUTH_FIRST);
    mouth.y += lm->points[i].y / (FB_N_LANDMARKS - FB_LM_MOUTH_FIRST);
  }
  eyes.x = 0.5f * (eye_r.x + eye_l.x);
  eyes.y = 0.5f * (eye_r.y + eye_l.y);
  across.x = eye_l.x - eye_r.x;
  across.y = eye_l.y - eye_r.y;
  /* the mouth must lie below the eye line in the face's own frame (y grows down) */
  if (!(across.x * (mouth.y - eyes.y) - across.y * (mouth.x - eyes.x) > 0)) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_LANDMARKS,
        "The style landmarks do not describe an upright face (the eyes are not above "
        "the mouth); they must be in iBUG-300W / dlib order (see "
        "landmarks-order.png), one 'x y' line per point");
    return FALSE;
  }
  return TRUE;
}

gboolean
fb_style_working_size (int width, int height, const FbLandmarks * lm,
    int *working_width, int *working_height)
{
  const float face_width = fb_landmarks_face_width (lm);
  const double scale = FB_STYLE_WORKING_FACE_WIDTH / (double) face_width;

  *working_width = width;
  *working_height = height;
  if (!(face_width > FB_STYLE_MAX_FACE_WIDTH))
    return FALSE;
  *working_width = MAX (1, (int) lround (width * scale));
  *working_height = MAX (1, (int) lround (height * scale));
  return TRUE;
}

/* lm (of a width x height image) in the pixels of its working_width x working_height
 * copy, with fb_image_resize's mapping of pixel centres; unchanged, to the bit, when
 * the sizes are the same. */
static void
working_landmarks (const FbLandmarks * lm, int width, int height, int working_width,
    int working_height, FbLandmarks * out)
{
  const float sx = (float) working_width / width, sy = (float) working_height / height;
  int i;

  *out = *lm;
  if (working_width == width && working_height == height)
    return;
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    out->points[i].x = (lm->points[i].x + 0.5f) * sx - 0.5f;
    out->points[i].y = (lm->points[i].y + 0.5f) * sy - 0.5f;
  }
}

typedef struct {
  const guint8 *data;
  gsize size;
  guint8 sha256[32];
} HashedPart;

static gpointer
hash_part (gpointer data)
{
  HashedPart *part = data;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = sizeof part->sha256;

  g_checksum_update (sum, part->data, part->size);
  g_checksum_get_digest (sum, part->sha256, &length);
  g_checksum_free (sum);
  return NULL;
}

/* GLib's SHA-256 runs at ~130 MB/s here, ~18 ms for a 768x1024 exemplar before the
 * cache can be opened: the two halves of the pixels are hashed on two cores and the
 * digest covers their digests (a hash tree, as strong as SHA-256 itself). */
static void
sha256_halves (const guint8 * data, gsize size, guint8 digests[64])
{
  HashedPart first = { data, size / 2, {0} };
  HashedPart second = { data + size / 2, size - size / 2, {0} };
  GThread *helper = g_thread_new ("fb-style-digest", hash_part, &second);

  hash_part (&first);
  g_thread_join (helper);
  memcpy (digests, first.sha256, 32);
  memcpy (digests + 32, second.sha256, 32);
}

/* A key covering content, the landmarks, the parameters and everything else the style
 * depends on. content: what identifies the exemplar, its pixels (width x height) or its
 * file (width and height 0 then: the file tells them); prefix tells the kinds apart. */
static char *
compute_digest (const char *prefix, const void *content, gsize content_size, int width,
    int height, const FbLandmarks * lm, const FbStyleParams * params)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gint32 header[] = { STYLE_FORMAT_VERSION, width, height, TABLE_N_APP,
    TABLE_FINE_LEVELS, TABLE_STEP_FINE, TABLE_STEP_COARSE, FB_STYLE_MAX_LEVELS,
    (gint32) MIN_FACE_WIDTH, FB_STYLE_WORKING_FACE_WIDTH, FB_STYLE_MAX_FACE_WIDTH
  };
  float lambdas[2] = { params->lambda_pos, params->lambda_app };
  char *digest;

  g_checksum_update (sum, (const guchar *) prefix, strlen (prefix));
  g_checksum_update (sum, (const guchar *) header, sizeof header);
  g_checksum_update (sum, content, content_size);
  g_checksum_update (sum, (const guchar *) lm->points, sizeof lm->points);
  g_checksum_update (sum, (const guchar *) lambdas, sizeof lambdas);
  digest = g_strconcat (prefix, g_checksum_get_string (sum), NULL);
  g_checksum_free (sum);
  return digest;
}

/* What a level needs before its images: its landmarks (cheap). */
static void
prepare_level_geometry (FbStyleLevel * level, int index, const FbLandmarks * lm0,
    const FbStyleParams * params)
{
  int i;

  level->scale = 1 << index;
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    level->landmarks.points[i].x = (lm0->points[i].x + 0.5f) / level->scale - 0.5f;
    level->landmarks.points[i].y = (lm0->points[i].y + 0.5f) / level->scale - 0.5f;
  }
  level->face_width = fb_landmarks_face_width (&level->landmarks);
  level->lambda_pos_px = params->lambda_pos * 100.0f / level->face_width;
}

/* A style with its levels' geometry, for landmarks already validated; no images yet. */
static FbStyle *
style_new_levels (const FbLandmarks * lm, const FbStyleParams * params)
{
  FbStyle *style = g_new0 (FbStyle, 1);
  const float face_width = fb_landmarks_face_width (lm);
  int l;

  style->ref_count = 1;
  style->params = *params;
  for (l = 0; l < FB_STYLE_MAX_LEVELS; l++) {
    if (l > 0 && face_width / (1 << l) < MIN_FACE_WIDTH)
      break;
    prepare_level_geometry (&style->levels[l], l, lm, params);
    style->n_levels = l + 1;
  }
  return style;
}

/* Sums the colour of width x height pixels of rgb from (x0, y0) into sum[3]. */
static void
add_colours (const FbImage * rgb, int x0, int y0, int width, int height, double sum[3])
{
  int x, y, c;

  for (y = y0; y < y0 + height; y++) {
    const uint8_t *row = fb_image_row (rgb, y);
    for (x = x0; x < x0 + width; x++)
      for (c = 0; c < 3; c++)
        sum[c] += row[3 * x + c];
  }
}

/* The square that positions beyond the exemplar fold into (fb_fold_into_style_corner)
 * when `corner` (FB_STYLE_CORNER_* bits) is the style's background corner: its side,
 * returned, and its top-left pixel. */
static int
corner_square (const FbImage * image, int corner, int *x0, int *y0)
{
  const int w = image->width, h = image->height;
  int size = MIN ((int) fb_style_corner_size (w, h), MIN (w, h));

  *x0 = corner & FB_STYLE_CORNER_RIGHT ? w - size : 0;
  *y0 = corner & FB_STYLE_CORNER_BOTTOM ? h - size : 0;
  return size;
}

/* How unlike a backdrop that continues the exemplar's border the corner square whose
 * FB_STYLE_CORNER_* bits are corner is: its mean colour gradient (a flag, a splash,
 * hair) plus its mean colour's distance from that of the border's pixels (the tiled
 * corner meets the border: a lighter or darker corner shows the exemplar as a pasted
 * sheet). */
static double
corner_cost (const FbImage * rgb, int corner, const double border[3])
{
  int x0, y0, size = corner_square (rgb, corner, &x0, &y0);
  double mean[3] = { 0 }, cost = 0;
  guint64 gradient = 0;
  int x, y, c;

  for (y = y0; y < y0 + size - 1; y++) {
    const uint8_t *row = fb_image_row (rgb, y), *below = fb_image_row (rgb, y + 1);
    for (x = x0 * 3; x < (x0 + size - 1) * 3; x++)
      gradient += abs (row[x] - row[x + 3]) + abs (row[x] - below[x]);
  }
  add_colours (rgb, x0, y0, size, size, mean);
  for (c = 0; c < 3; c++)
    cost += fabs (mean[c] / ((double) size * size) - border[c]);
  return cost + (double) gradient / ((double) (size - 1) * (size - 1));
}

/* The corner beyond the exemplar is tiled from (fb_fold_into_style_corner): of the two
 * top ones, the one more like a backdrop (corner_cost). A portrait's bottom corners
 * are its sitter's clothes or the bust's base, its top corners the backdrop, one of
 * them perhaps with a flag or a splash in it. */
static int
background_corner (const FbImage * rgb)
{
  const int w = rgb->width, h = rgb->height;
  int x0, y0, c;
  double border[3] = { 0 };

  if (corner_square (rgb, 0, &x0, &y0) < 2 || w < 3 || h < 3)
    return 0;
  add_colours (rgb, 0, 0, w, 1, border);
  add_colours (rgb, 0, h - 1, w, 1, border);
  add_colours (rgb, 0, 1, 1, h - 2, border);
  add_colours (rgb, w - 1, 1, 1, h - 2, border);
  for (c = 0; c < 3; c++)
    border[c] /= 2.0 * (w + h) - 4;
  return corner_cost (rgb, FB_STYLE_CORNER_RIGHT, border)
      < corner_cost (rgb, 0, border) ? FB_STYLE_CORNER_RIGHT : 0;
}

/* The backdrop's large scale: the tone's blur, in corner sizes. Below a third, the
 * tiled corner's own strokes would be evened out; above, the exemplar's lighting
 * across its border would be lost. */
#define TONE_BLUR_CORNERS 0.33f
/* A pixel counts as backdrop by how close its colour is to the corner's mean: half as
 * much 33 levels away (a Gaussian of 40), next to nothing 100 away (strokes, hair, a
 * bust, a suit as light as the backdrop but orange). Paper lit unevenly stays within
 * it. */
#define TONE_BACKDROP_LEVELS 40.0
/* Where nearly nothing around a pixel is backdrop (a dark coat at the exemplar's
 * edge), its tone is the corner's: the weight, of one pixel's full weight, that the
 * corner's mean has against the blurred backdrop's. */
#define TONE_PRIOR 0.05
/* The likeness's table: by the squared colour distance in steps of 16 (a step is at
 * most 1 % of it), up to where it is 0 (exp (-41) at 256 levels). */
#define TONE_DISTANCE2_STEP_LOG2 4
#define TONE_MAX_DISTANCE2 65535

/* The backdrop's colour at each pixel of the level (fb_backdrop_tone_gains), and its
 * mean along the level's border: each channel of the pixels whose colour looks like the
 * corner's backdrop, weighted by that likeness and blurred, over the blurred weights (a
 * normalised convolution), so that the figure does not darken, lighten or tint the
 * backdrop beside it and a beard or a base cut by the edge is not taken for backdrop.
 * Colour, not luma alone: a backdrop lit warmer around the figure than in the tiled
 * corner showed as a warmer sheet, cut straight where the exemplar ends. */
static void
backdrop_tone (FbStyleLevel * level)
{
  const FbImage *rgb = level->rgb;
  const int w = rgb->width, h = rgb->height;
  g_autoptr (FbImage) weighted = fb_image_new (w, h, 1);
  g_autoptr (FbImage) weights = fb_image_new (w, h, 1);
  /* each channel's weighted blur, then the weights' */
  g_autofree uint16_t *blurred = g_new (uint16_t, 4 * (size_t) w * h);
  const float sigma = TONE_BLUR_CORNERS * fb_style_corner_size (w, h);
  const double prior = TONE_PRIOR * 255 * 256;
  /* by the squared distance of a colour from the corner's, up to where it is 0 */
  uint8_t likeness[(TONE_MAX_DISTANCE2 >> TONE_DISTANCE2_STEP_LOG2) + 1];
  double reference[3] = { 0 };
  int x0, y0, size, x, y, c, mean[3];
  guint64 border[3] = { 0 };

  for (x = 0; x <= TONE_MAX_DISTANCE2 >> TONE_DISTANCE2_STEP_LOG2; x++)
    likeness[x] = (uint8_t) lrint (exp (-(x << TONE_DISTANCE2_STEP_LOG2)
            / (TONE_BACKDROP_LEVELS * TONE_BACKDROP_LEVELS)) * 255);
  size = corner_square (rgb, level->background_corner, &x0, &y0);
  add_colours (rgb, x0, y0, size, size, reference);
  for (c = 0; c < 3; c++)
    mean[c] = (int) lrint (reference[c] / ((double) size * size));
  for (y = 0; y < h; y++) {
    const uint8_t *in = fb_image_row (rgb, y);
    uint8_t *ww = fb_image_row (weights, y);
    for (x = 0; x < w; x++) {
      int d2 = 0;
      for (c = 0; c < 3; c++)
        d2 += (in[3 * x + c] - mean[c]) * (in[3 * x + c] - mean[c]);
      ww[x] = likeness[MIN (d2, TONE_MAX_DISTANCE2) >> TONE_DISTANCE2_STEP_LOG2];
    }
  }
  fb_blur_fixed (weights, sigma, blurred + 3 * (size_t) w * h);
  for (c = 0; c < 3; c++) {
    for (y = 0; y < h; y++) {
      const uint8_t *in = fb_image_row (rgb, y), *ww = fb_image_row (weights, y);
      uint8_t *lw = fb_image_row (weighted, y);
      for (x = 0; x < w; x++)
        lw[x] = fb_div255 ((uint16_t) (ww[x] * in[3 * x + c]));
    }
    fb_blur_fixed (weighted, sigma, blurred + c * (size_t) w * h);
  }
  fb_image_ensure (&level->tone, w, h, 3);
  for (y = 0; y < h; y++) {
    uint8_t *tone = fb_image_row (level->tone, y);
    for (x = 0; x < w; x++) {
      size_t k = (size_t) w * y + x;
      double inverse = 1.0 / (blurred[3 * (size_t) w * h + k] + prior);
      for (c = 0; c < 3; c++) {
        tone[3 * x + c] = (uint8_t) CLAMP (lrint ((255.0 * blurred[c * (size_t) w * h + k]
                    + prior * mean[c]) * inverse), 0, 255);
        if (y == 0 || y == h - 1 || x == 0 || x == w - 1)
          border[c] += tone[3 * x + c];
      }
    }
  }
  for (c = 0; c < 3; c++)
    level->border_tone[c] = (int) (border[c] / (2 * (guint64) (w + h) - 4));
}

/* What a level derives from its images, cached or built. */
static void
level_statistics (FbStyleLevel * level)
{
  fb_histogram_compute (level->guide, level->mask, &level->histogram);
  level->background_corner = background_corner (level->rgb);
  backdrop_tone (level);
}

/* The level's images (the blurs: what a cache hit spares), then its statistics. */
static void
prepare_level_images (FbStyleLevel * level)
{
  const FbImage *rgb = level->rgb;
  FbImage *luma = fb_image_new (rgb->width, rgb->height, 1);
  const float sigma = FB_GUIDE_BLUR_FRACTION * level->face_width;

  fb_blur (rgb, &level->rgb_blurred, sigma);
  fb_image_rgb_to_luma (rgb, luma);
  fb_appearance_guide (luma, sigma, &level->guide);
  fb_image_free (luma);
  level->mask = fb_image_new (rgb->width, rgb->height, 1);
  fb_face_mask_render (&level->landmarks, 0, 0, 0, level->mask);
  fb_guide_stretch_contrast (level->guide, level->mask);
  level_statistics (level);
}

/* The cached images of a level, in payload order. */
#define N_LEVEL_IMAGES 4
static const int level_image_channels[N_LEVEL_IMAGES] = { 3, 3, 1, 1 };

static void
level_images (FbStyleLevel * level, FbImage ** images[N_LEVEL_IMAGES])
{
  images[0] = &level->rgb;
  images[1] = &level->rgb_blurred;
  images[2] = &level->guide;
  images[3] = &level->mask;
}

/* Bytes of a width x height level's images in the payload, padded so that the next
 * table stays aligned. */
static gsize
level_images_size (int width, int height)
{
  return ((gsize) width * height * 8 + 3) & ~(gsize) 3;
}

static guint8 *
serialize_style (FbStyle * style, gsize * size)
{
  gsize total = 2 * sizeof (guint32), offset;
  guint8 *payload;
  int l, i, y;

  for (l = 0; l < style->n_levels; l++)
    total += LEVEL_HEADER_WORDS * sizeof (guint32)
        + fb_seed_table_n_entries (style->levels[l].table) * sizeof (uint32_t)
        + level_images_size (style->levels[l].rgb->width, style->levels[l].rgb->height);
  /* as large as all the levels together, when memory may be short: caching is best
   * effort */
  payload = g_try_malloc0 (total);
  *size = total;
  if (!payload)
    return NULL;
  ((guint32 *) payload)[0] = PAYLOAD_BOM;
  ((guint32 *) payload)[1] = (guint32) style->n_levels;
  offset = 2 * sizeof (guint32);
  for (l = 0; l < style->n_levels; l++) {
    FbStyleLevel *level = &style->levels[l];
    const FbSeedTable *t = level->table;
    guint32 geometry[LEVEL_HEADER_WORDS] = { t->width, t->height, t->step, t->cols,
      t->rows, t->n_app
    };
    gsize bytes = fb_seed_table_n_entries (t) * sizeof (uint32_t), images_end;
    FbImage **images[N_LEVEL_IMAGES];

    memcpy (payload + offset, geometry, sizeof geometry);
    offset += sizeof geometry;
    memcpy (payload + offset, t->entries, bytes);
    offset += bytes;
    images_end = offset + level_images_size (level->rgb->width, level->rgb->height);
    level_images (level, images);
    for (i = 0; i < N_LEVEL_IMAGES; i++) {
      const FbImage *image = *images[i];
      const gsize row = (gsize) image->width * image->channels;
      for (y = 0; y < image->height; y++, offset += row)
        memcpy (payload + offset, fb_image_row (image, y), row);
    }
    offset = images_end;
  }
  return payload;
}

/* Where a payload for the style's levels keeps its tables, and what bounds their
 * entries must respect: known before the read, so that the entries are checked chunk
 * by chunk as they arrive, while in the CPU's cache. */
typedef struct {
  int n_levels;
  gsize offsets[FB_STYLE_MAX_LEVELS];
  gsize n_entries[FB_STYLE_MAX_LEVELS];
  int widths[FB_STYLE_MAX_LEVELS];
  int heights[FB_STYLE_MAX_LEVELS];
  gsize size;                   /* of the whole payload */
} PayloadLayout;

/* The layout of a payload for n_levels levels of a width x height exemplar: each level
 * is half the size of the previous one, rounded up, as fb_image_downscale_2x makes it. */
static void
payload_layout (int n_levels, int width, int height, PayloadLayout * layout)
{
  gsize offset = 2 * sizeof (guint32);
  int l;

  layout->n_levels = n_levels;
  for (l = 0; l < n_levels; l++) {
    const int step = table_step (l);
    /* the geometry fb_seed_table_build gives this level */
    const FbSeedTable geometry = { width, height, step, (width + step - 1) / step,
      (height + step - 1) / step, TABLE_N_APP, NULL, NULL
    };
    offset += LEVEL_HEADER_WORDS * sizeof (guint32);
    layout->offsets[l] = offset;
    layout->n_entries[l] = fb_seed_table_n_entries (&geometry);
    layout->widths[l] = width;
    layout->heights[l] = height;
    offset += layout->n_entries[l] * sizeof (uint32_t)
        + level_images_size (width, height);
    width = (width + 1) / 2;
    height = (height + 1) / 2;
  }
  layout->size = offset;
}

/* Upper bounds of the memory a build of n_levels levels of a width x height exemplar
 * takes: the style's images and tables (the payload's size), and the most the largest
 * level needs besides while it is built (its blurs' two 16-bit planes of 3 channels, its
 * luma, its seed table's build threads' scratch). */
static void
preparation_sizes (int width, int height, int n_levels, guint64 * style_bytes,
    guint64 * working_bytes)
{
  PayloadLayout layout;
  int l;

  payload_layout (n_levels, width, height, &layout);
  *style_bytes = layout.size;
  *working_bytes = 0;
  for (l = 0; l < n_levels; l++) {
    const int w = layout.widths[l], h = layout.heights[l];
    /* its tone, which the payload does not carry */
    *style_bytes += (guint64) w * h;
    /* the level's table itself is the style's */
    *working_bytes = MAX (*working_bytes, (guint64) w * h * (2 * 2 * 3 + 1)
        + fb_seed_table_build_bytes (w, h, table_step (l), TABLE_N_APP)
        - layout.n_entries[l] * sizeof (uint32_t));
  }
}

/* The most a preparation takes at once: the style, and either a level's build or, at
 * the end, the payload copying the style for the cache and the cache's own copy of it
 * as it writes the entry. */
static gboolean
check_preparation_size (int width, int height, int n_levels, const FbLandmarks * lm,
    GError ** error)
{
  guint64 style_bytes, working_bytes, bytes;

  preparation_sizes (width, height, n_levels, &style_bytes, &working_bytes);
  bytes = style_bytes + MAX (2 * style_bytes, working_bytes);
  if (bytes <= FB_STYLE_MAX_PREPARATION_BYTES)
    return TRUE;
  g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_TOO_LARGE,
      "Preparing the style image at %dx%d (its face %.0f px wide there) would take %"
      G_GUINT64_FORMAT " MiB of memory, over the limit of %" G_GUINT64_FORMAT " MiB; crop "
      "it to the head and a margin around it", width, height,
      fb_landmarks_face_width (lm), bytes >> 20,
      FB_STYLE_MAX_PREPARATION_BYTES >> 20);
  return FALSE;
}

/* Whether the process has room for a build now. The build allocates with g_malloc,
 * which aborts when an address-space limit (RLIMIT_AS) or strict overcommit refuses
 * it: asking once for the whole build's memory turns that into an error. The block is
 * never touched, so it costs no memory; the cache's copies after the build are
 * allocated with g_try_ and only skip the cache when refused. */
static gboolean
check_room_for_build (int width, int height, int n_levels, GError ** error)
{
  guint64 style_bytes, working_bytes;
  gpointer block;

  preparation_sizes (width, height, n_levels, &style_bytes, &working_bytes);
  /* the packed exemplar, allocated already, is the style's first image */
  block = g_try_malloc (style_bytes + working_bytes - (guint64) width * height * 3);
  if (block) {
    g_free (block);
    return TRUE;
  }
  g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_MEMORY,
      "Not enough memory to prepare the %dx%d style exemplar (%" G_GUINT64_FORMAT
      " MiB); use a smaller one", width, height, (style_bytes + working_bytes) >> 20);
  return FALSE;
}

/* An FbCacheCheckFunc: the table entries within the chunk are pixels of their level. */
static gboolean
check_payload_chunk (const guint8 * chunk, gsize offset, gsize length, gpointer data)
{
  const PayloadLayout *layout = data;
  int l;

  for (l = 0; l < layout->n_levels; l++) {
    const gsize start = MAX (layout->offsets[l], offset);
    const gsize end = MIN (layout->offsets[l] + layout->n_entries[l] * sizeof (uint32_t),
        offset + length);
    /* tables start at multiples of 4 and chunks at multiples of 1 MiB: whole entries */
    if (start < end && !fb_seed_table_entries_valid ((const uint32_t *) (chunk + start
                - offset), (end - start) / sizeof (uint32_t), layout->widths[l],
            layout->heights[l]))
      return FALSE;
  }
  return TRUE;
}

/* Fills the levels' tables and images from a cache payload (the tables keep it,
 * uncopied); FALSE (levels untouched) unless it matches the layout exactly and every
 * table entry is a pixel of its level. */
static gboolean
deserialize_style (FbStyle * style, const PayloadLayout * layout, GBytes * payload)
{
  FbSeedTable *tables[FB_STYLE_MAX_LEVELS] = { NULL };
  gsize size, offset = 2 * sizeof (guint32);
  const guint8 *data = g_bytes_get_data (payload, &size);
  guint32 head[2];
  int l, i, y;

  if (size < sizeof head)
    return FALSE;
  memcpy (head, data, sizeof head);
  if (head[0] != PAYLOAD_BOM || head[1] != (guint32) style->n_levels)
    return FALSE;
  for (l = 0; l < style->n_levels; l++) {
    const int width = layout->widths[l], height = layout->heights[l];
    guint32 geometry[LEVEL_HEADER_WORDS];
    FbSeedTable *t;

    if (size - offset < sizeof geometry)
      goto mismatch;
    memcpy (geometry, data + offset, sizeof geometry);
    offset += sizeof geometry;
    /* check_payload_chunk has checked the entries at the offsets of the layout */
    if (offset != layout->offsets[l])
      goto mismatch;
    t = tables[l] = fb_seed_table_new_from_checked_bytes (payload, offset, width, height,
        table_step (l), TABLE_N_APP);
    if (!t || fb_seed_table_n_entries (t) != layout->n_entries[l]
        || geometry[0] != (guint32) t->width || geometry[1] != (guint32) t->height
        || geometry[2] != (guint32) t->step || geometry[3] != (guint32) t->cols
        || geometry[4] != (guint32) t->rows || geometry[5] != (guint32) t->n_app)
      goto mismatch;
    offset += fb_seed_table_n_entries (t) * sizeof (uint32_t);
    if (size - offset < level_images_size (width, height))
      goto mismatch;
    offset += level_images_size (width, height);
  }
  if (offset != size)
    goto mismatch;

  offset = 2 * sizeof (guint32);
  for (l = 0; l < style->n_levels; l++) {
    FbStyleLevel *level = &style->levels[l];
    FbImage **images[N_LEVEL_IMAGES];

    level->table = tables[l];
    offset += LEVEL_HEADER_WORDS * sizeof (guint32)
        + fb_seed_table_n_entries (tables[l]) * sizeof (uint32_t);
    level_images (level, images);
    for (i = 0; i < N_LEVEL_IMAGES; i++) {
      FbImage *image = *images[i] = fb_image_new (layout->widths[l], layout->heights[l],
          level_image_channels[i]);
      const gsize row = (gsize) image->width * image->channels;
      for (y = 0; y < image->height; y++)
        memcpy (fb_image_row (image, y), data + offset + y * row, row);
      offset += row * image->height;
    }
    offset = (offset + 3) & ~(gsize) 3;
    level_statistics (level);
  }
  return TRUE;

mismatch:
  for (l = 0; l < style->n_levels; l++)
    fb_seed_table_free (tables[l]);
  return FALSE;
}

/* Fills the levels from the cache entry named by the style's digest, the entry of a
 * width x height exemplar; FALSE (levels untouched) on a miss or a damaged entry, which
 * *problem describes. */
static gboolean
load_levels (FbStyle * style, int width, int height, GError ** problem)
{
  PayloadLayout layout;
  GBytes *bytes;
  guint8 *cached;
  gsize cached_size;

  /* the cache reads and checks on two cores itself */
  payload_layout (style->n_levels, width, height, &layout);
  cached = fb_cache_load_checked (style->digest, &cached_size, check_payload_chunk,
      &layout, problem);
  if (!cached)
    return FALSE;
  bytes = g_bytes_new_take (cached, cached_size);
  style->from_cache = deserialize_style (style, &layout, bytes);
  g_bytes_unref (bytes);
  if (!style->from_cache) {
    g_autofree char *path = fb_cache_path (style->digest);
    g_set_error (problem, G_FILE_ERROR, G_FILE_ERROR_FAILED, "The cache entry “%s” is "
        "damaged (its layout does not fit the style)", path);
  }
  return style->from_cache;
}

/* Adds to what the caller will be told about the cache (FbStyle.cache_warning). */
static void
note_cache_warning (FbStyle * style, const char *message)
{
  char *joined = style->cache_warning ?
      g_strconcat (style->cache_warning, "; ", message, NULL) : g_strdup (message);

  g_free (style->cache_warning);
  style->cache_warning = joined;
}

/* A damaged entry found (problem) that the style's preparation has rebuilt. */
static void
note_rebuilt (FbStyle * style, GError * problem)
{
  g_autofree char *message = g_strconcat (problem->message, ": it was rebuilt", NULL);

  note_cache_warning (style, message);
}

/* Best effort: a style that cannot be cached is only slower to load next time. */
static void
store_entry (FbStyle * style, const char *key, const guint8 * payload, gsize size)
{
  g_autoptr (GError) error = NULL;

  if (!fb_cache_store (key, payload, size, &error)) {
    g_autofree char *message = g_strconcat ("The style could not be cached: ",
        error->message, NULL);
    note_cache_warning (style, message);
  }
}

/* Builds the levels from rgb (3 channels, packed; the style takes it) and caches them;
 * FALSE when cancelled on the way (levels partly built, nothing cached). Each stage
 * between two checks takes at most a few hundred milliseconds at the working size;
 * once the entry is being written, the style is complete and kept. */
static gboolean
build_levels (FbStyle * style, FbImage * rgb, GCancellable * cancellable)
{
  guint8 *payload;
  gsize size;
  int l;

  for (l = 0; l < style->n_levels; l++) {
    FbStyleLevel *level = &style->levels[l];
    level->rgb = l == 0 ? rgb : fb_image_downscale_2x (style->levels[l - 1].rgb);
    if (g_cancellable_is_cancelled (cancellable))
      return FALSE;
    prepare_level_images (level);
    level->table = fb_seed_table_build_cancellable (level->guide, table_step (l),
        TABLE_N_APP, level->lambda_pos_px, style->params.lambda_app, cancellable);
    if (!level->table)
      return FALSE;
  }
  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  payload = serialize_style (style, &size);
  if (g_cancellable_is_cancelled (cancellable)) {
    g_free (payload);
    return FALSE;
  }
  if (payload) {
    store_entry (style, style->digest, payload, size);
    g_free (payload);
  } else {
    g_autofree char *message = g_strdup_printf ("The style could not be cached: not "
        "enough memory for its %" G_GSIZE_FORMAT " MB cache entry", size >> 20);
    note_cache_warning (style, message);
  }
  return TRUE;
}

/* The exemplar's pixels at its working size as packed rows: one digest whatever the
 * channels and stride. NULL when there is no memory for them. */
static FbImage *
working_exemplar (const FbImage * rgb, int width, int height)
{
  FbImage *resized = NULL, *packed = fb_image_try_new (width, height, 3);
  const FbImage *source = rgb;
  int x, y;

  if (!packed)
    return NULL;
  if (width != rgb->width || height != rgb->height)
    source = resized = fb_image_resize (rgb, width, height);
  for (y = 0; y < height; y++) {
    const uint8_t *in = fb_image_row (source, y);
    uint8_t *out = fb_image_row (packed, y);
    for (x = 0; x < width; x++)
      memcpy (out + 3 * x, in + source->channels * x, 3);
  }
  fb_image_free (resized);
  return packed;
}

static FbStyle *
style_new_cancellable (const FbImage * rgb, const FbLandmarks * lm,
    const FbStyleParams * params, GCancellable * cancellable, GError ** error)
{
  FbStyle *style;
  FbImage *packed;
  FbLandmarks working_lm;
  guint8 pixel_digests[64];
  g_autoptr (GError) problem = NULL;
  int width, height;

  g_return_val_if_fail (rgb && rgb->channels >= 3, NULL);
  g_return_val_if_fail (lm && params, NULL);
  g_return_val_if_fail (params->lambda_pos >= 0 && params->lambda_app >= 0, NULL);
  if (!validate_landmarks (rgb->width, rgb->height, lm, error))
    return NULL;
  fb_style_working_size (rgb->width, rgb->height, lm, &width, &height);
  working_landmarks (lm, rgb->width, rgb->height, width, height, &working_lm);
  style = style_new_levels (&working_lm, params);
  if (!check_preparation_size (width, height, style->n_levels, &working_lm, error)) {
    fb_style_unref (style);
    return NULL;
  }

  packed = working_exemplar (rgb, width, height);
  if (!packed) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_MEMORY,
        "Not enough memory to prepare the %dx%d style exemplar; use a smaller one",
        width, height);
    fb_style_unref (style);
    return NULL;
  }
  sha256_halves (packed->data, (gsize) packed->stride * packed->height, pixel_digests);
  style->digest = compute_digest ("", pixel_digests, sizeof pixel_digests, width, height,
      &working_lm, params);
  if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
    fb_image_free (packed);
    fb_style_unref (style);
    return NULL;
  }
  if (load_levels (style, width, height, &problem)) {
    fb_image_free (packed);
  } else if (!check_room_for_build (width, height, style->n_levels, error)) {
    fb_image_free (packed);
    fb_style_unref (style);
    return NULL;
  } else if (!build_levels (style, packed, cancellable)) {
    g_cancellable_set_error_if_cancelled (cancellable, error);
    fb_style_unref (style);
    return NULL;
  } else if (problem) {
    note_rebuilt (style, problem);
  }
  return style;
}

FbStyle *
fb_style_new (const FbImage * rgb, const FbLandmarks * lm, const FbStyleParams * params,
    GError ** error)
{
  return style_new_cancellable (rgb, lm, params, NULL, error);
}

/* The style a file entry names, when both entries are intact and fit lm; else NULL,
 * with *problem set when the file entry is damaged (a damaged style entry is found
 * again, and rebuilt, by fb_style_new). The entry keeps the file's image size, which
 * (with lm) gives the working size. */
static FbStyle *
load_from_file_entry (const char *file_key, const FbLandmarks * lm,
    const FbStyleParams * params, GError ** problem)
{
  FileEntry entry;
  FbStyle *style;
  FbLandmarks working_lm;
  guint8 *cached;
  gsize size;
  int i, width, height;

  cached = fb_cache_load_checked (file_key, &size, NULL, NULL, problem);
  if (!cached)
    return NULL;
  if (size != sizeof entry) {
    g_free (cached);
    goto damaged;
  }
  memcpy (&entry, cached, sizeof entry);
  g_free (cached);
  /* checksummed, yet bounded: it names files and sizes memory */
  if (entry.bom != PAYLOAD_BOM || entry.width < 1 || entry.width > FB_IMAGE_MAX_SIDE
      || entry.height < 1 || entry.height > FB_IMAGE_MAX_SIDE
      || !validate_landmarks (entry.width, entry.height, lm, NULL))
    goto damaged;
  for (i = 0; i < DIGEST_LENGTH; i++)
    if (!g_ascii_isxdigit (entry.digest[i]))
      goto damaged;

  fb_style_working_size (entry.width, entry.height, lm, &width, &height);
  working_landmarks (lm, entry.width, entry.height, width, height, &working_lm);
  style = style_new_levels (&working_lm, params);
  style->digest = g_strndup (entry.digest, DIGEST_LENGTH);
  if (!check_preparation_size (width, height, style->n_levels, &working_lm, NULL)
      || !load_levels (style, width, height, NULL)) {
    fb_style_unref (style);
    return NULL;
  }
  return style;

damaged:
  {
    g_autofree char *path = fb_cache_path (file_key);
    g_set_error (problem, G_FILE_ERROR, G_FILE_ERROR_FAILED, "The cache entry “%s” is "
        "damaged (its values are out of range)", path);
  }
  return NULL;
}

static void
store_file_entry (const char *file_key, int width, int height, FbStyle * style)
{
  FileEntry entry = { PAYLOAD_BOM, width, height, "" };

  memcpy (entry.digest, style->digest, DIGEST_LENGTH);
  store_entry (style, file_key, (const guint8 *) &entry, sizeof entry);
}

gboolean
fb_style_detect_face (const FbImage * rgb, FbRect * box_out, GError ** error)
{
  /* HOG detection cost grows with the pixel count and a portrait's face is large, so
   * detect on a copy no larger than about a megapixel; the box is for the full size. */
  const int max_detect_side = 1024;
  FbImage *small = fb_image_new (rgb->width, rgb->height, 1);
  FbFaceDetector *detector;
  FbDetection found[16];
  char *message = NULL;
  int n, i, best = 0, scale = 1;

  fb_image_rgb_to_luma (rgb, small);
  while (MAX (small->width, small->height) > max_detect_side) {
    FbImage *half = fb_image_downscale_2x (small);
    fb_image_free (small);
    small = half;
    scale *= 2;
  }

  detector = fb_face_detector_new (&message);
  if (!detector) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_DETECTION,
        "Cannot create dlib's face detector: %s", message ? message : "unknown error");
    free (message);
    fb_image_free (small);
    return FALSE;
  }
  n = fb_face_detector_run (detector, small->data, small->width, small->height,
      small->stride, found, G_N_ELEMENTS (found));
  fb_face_detector_free (detector);
  fb_image_free (small);
  if (n < 0) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_DETECTION,
        "dlib's face detector failed on the %dx%d style image", rgb->width, rgb->height);
    return FALSE;
  }
  if (n == 0) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE,
        "No face found in the %dx%d style image; give its 68 landmarks with the "
        "style-landmarks property (one 'x y' per line)", rgb->width, rgb->height);
    return FALSE;
  }
  /* The largest confident face: a portrait's subject, not a round badge that looks a
   * little like one (found[0] has the best score). */
  for (i = 1; i < n; i++)
    if (found[i].score >= FB_FACE_DETECTION_CONFIDENT_SCORE
        && (gint64) found[i].box.width * found[i].box.height
        > (gint64) found[best].box.width * found[best].box.height)
      best = i;
  box_out->x = found[best].box.x * scale;
  box_out->y = found[best].box.y * scale;
  box_out->width = found[best].box.width * scale;
  box_out->height = found[best].box.height * scale;
  return TRUE;
}

gboolean
fb_style_fit_landmarks (const FbImage * rgb, const FbShapeModel * model, FbRect box,
    FbLandmarks * out, GError ** error)
{
  FbImage *grey = fb_image_new (rgb->width, rgb->height, 1);
  int fit;

  fb_image_rgb_to_luma (rgb, grey);
  fit = fb_shape_model_fit (model, grey->data, grey->width, grey->height, grey->stride,
      box, out->points);
  fb_image_free (grey);
  if (fit != 0) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_DETECTION,
        "dlib's shape predictor failed on the face at %d,%d (%dx%d) of the style image",
        box.x, box.y, box.width, box.height);
    return FALSE;
  }
  return TRUE;
}

gboolean
fb_style_detect_landmarks (const FbImage * rgb, const FbShapeModel * model,
    FbLandmarks * out, GError ** error)
{
  FbRect box;

  return fb_style_detect_face (rgb, &box, error)
      && fb_style_fit_landmarks (rgb, model, box, out, error);
}

/* fb_style_detect_landmarks on the exemplar of image_path, with errors naming it. */
static gboolean
find_landmarks (const FbImage * rgb, const char *image_path, const FbShapeModel * model,
    FbLandmarks * lm, GError ** error)
{
  GError *local = NULL;

  if (!model) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE,
        "Cannot find the face in %s without dlib's shape predictor; give its 68 "
        "landmarks with the style-landmarks property (one 'x y' per line)", image_path);
    return FALSE;
  }
  if (fb_style_detect_landmarks (rgb, model, lm, &local))
    return TRUE;
  if (g_error_matches (local, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE)) {
    g_set_error (error, FB_STYLE_ERROR, FB_STYLE_ERROR_NO_FACE,
        "No face found in %s; give its 68 landmarks with the style-landmarks "
        "property (one 'x y' per line)", image_path);
    g_error_free (local);
  } else {
    g_propagate_prefixed_error (error, local, "%s: ", image_path);
  }
  return FALSE;
}

FbStyle *
fb_style_load (const char *image_path, const char *landmarks_path,
    const FbShapeModel * model, const FbStyleParams * params, GError ** error)
{
  return fb_style_load_cancellable (image_path, landmarks_path, model, params, NULL,
      error);
}

FbStyle *
fb_style_load_cancellable (const char *image_path, const char *landmarks_path,
    const FbShapeModel * model, const FbStyleParams * params, GCancellable * cancellable,
    GError ** error)
{
  GBytes *contents;
  FbImage *rgb = NULL;
  FbLandmarks lm;
  FbStyle *style = NULL;
  GError *local = NULL;
  g_autoptr (GError) file_problem = NULL;
  char *file_key = NULL;
  int width, height;

  g_return_val_if_fail (image_path != NULL && params != NULL, NULL);
  contents = fb_image_file_read (image_path, cancellable, error);
  if (!contents)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  /* With landmarks from a file, a style seen before is recognised by its file's bytes
   * without decoding them, hashed as the cache checks its entries: at memory speed,
   * with the same odds (one in 2^64) that a change goes unnoticed. GLib's SHA-256 would
   * add ~10 ms of CPU time to the ~30 ms of a warm load. */
  if (landmarks_path) {
    gsize size;
    const guint8 *data = g_bytes_get_data (contents, &size);
    guint64 file_summary[2];
    if (!fb_landmarks_load (landmarks_path, &lm, error))
      goto out;
    file_summary[0] = size;
    file_summary[1] = fb_cache_hash (data, size);
    file_key = compute_digest (FILE_KEY_PREFIX, file_summary, sizeof file_summary, 0, 0,
        &lm, params);
    style = load_from_file_entry (file_key, &lm, params, &file_problem);
    if (style)
      goto out;
  }

  rgb = fb_image_decode_cancellable (contents, image_path, cancellable, error);
  /* the file's bytes are not needed any more: a large exemplar's peak is lower */
  g_clear_pointer (&contents, g_bytes_unref);
  if (!rgb || g_cancellable_set_error_if_cancelled (cancellable, error)
      || (!landmarks_path && !find_landmarks (rgb, image_path, model, &lm, error)))
    goto out;

  width = rgb->width;
  height = rgb->height;
  style = style_new_cancellable (rgb, &lm, params, cancellable, &local);
  g_clear_pointer (&rgb, fb_image_free);
  if (!style && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_propagate_error (error, local);
  } else if (!style && landmarks_path) {
    g_propagate_prefixed_error (error, local, "Style %s with landmarks %s: ",
        image_path, landmarks_path);
  } else if (!style) {
    g_propagate_prefixed_error (error, local, "Style %s (landmarks found by dlib): ",
        image_path);
  } else if (file_key) {
    store_file_entry (file_key, width, height, style);
    if (file_problem)
      note_rebuilt (style, file_problem);
  }

out:
  fb_image_free (rgb);
  if (contents)
    g_bytes_unref (contents);
  g_free (file_key);
  return style;
}

FbStyle *
fb_style_ref (FbStyle * style)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_atomic_int_inc (&style->ref_count);
  return style;
}

void
fb_style_unref (FbStyle * style)
{
  int l;

  if (!style || !g_atomic_int_dec_and_test (&style->ref_count))
    return;
  for (l = 0; l < style->n_levels; l++) {
    FbStyleLevel *level = &style->levels[l];
    fb_image_free (level->rgb);
    fb_image_free (level->rgb_blurred);
    fb_image_free (level->guide);
    fb_image_free (level->mask);
    fb_image_free (level->tone);
    fb_seed_table_free (level->table);
  }
  g_free (style->digest);
  g_free (style->cache_warning);
  g_free (style);
}
