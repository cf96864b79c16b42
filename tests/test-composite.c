/* faceblit — tests for compositing a canonical-space patch into frames.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "fb-blit.h"
#include "fb-composite.h"
#include "fb-test-helpers.h"

#define ONE 65536

/* A frame with padded rows and its planes in one block of `size` bytes. */
typedef struct {
  FbFrame frame;
  uint8_t *memory;
  size_t size;
} TestFrame;

static TestFrame *
test_frame_new (FbFormat format, int w, int h, GRand * rand)
{
  TestFrame *t = g_new0 (TestFrame, 1);
  size_t offsets[3] = { 0 };
  int i;

  t->frame.format = format;
  t->frame.matrix = (FbYuvMatrix) g_rand_int_range (rand, 0, 4);
  t->frame.width = w;
  t->frame.height = h;
  /* rows padded by a different odd number of bytes in each plane */
  for (i = 0; i < fb_frame_n_planes (format); i++) {
    t->frame.strides[i] = fb_frame_plane_row_bytes (format, w, i) + 3 + 2 * i;
    offsets[i] = t->size;
    t->size += (size_t) t->frame.strides[i] * fb_frame_plane_rows (format, h, i);
  }
  t->memory = g_malloc (t->size);
  for (i = 0; i < (int) t->size; i++)
    t->memory[i] = g_rand_int_range (rand, 0, 256);
  for (i = 0; i < 3; i++)
    t->frame.planes[i] = t->memory + offsets[i];
  return t;
}

static TestFrame *
test_frame_copy (const TestFrame * t)
{
  TestFrame *c = g_memdup2 (t, sizeof (*t));
  int i;

  c->memory = g_memdup2 (t->memory, t->size);
  for (i = 0; i < 3; i++)
    c->frame.planes[i] = c->memory + (t->frame.planes[i] - t->memory);
  return c;
}

static void
test_frame_free (TestFrame * t)
{
  g_free (t->memory);
  g_free (t);
}

/* Coverage made of 3 x 3 blocks that are each 0, 255 or random, so that rows cross
 * hidden, opaque and feathered stretches. */
static FbImage *
blocky_coverage (int w, int h, GRand * rand)
{
  FbImage *image = fb_image_new (w, h, 1);
  int bw = (w + 2) / 3, *kinds = g_new (int, bw * ((h + 2) / 3)), x, y;

  for (x = 0; x < bw * ((h + 2) / 3); x++)
    kinds[x] = g_rand_int_range (rand, 0, 3);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      int kind = kinds[(y / 3) * bw + x / 3];
      fb_image_row (image, y)[x] = kind == 0 ? 0 : kind == 1 ? 255
          : g_rand_int_range (rand, 0, 256);
    }
  g_free (kinds);
  return image;
}

static FbImage *
random_colours (int w, int h, GRand * rand)
{
  FbImage *image = fb_image_new (w, h, 3);
  int i;

  for (i = 0; i < w * h * 3; i++)
    image->data[i] = g_rand_int_range (rand, 0, 256);
  return image;
}

/* A random similarity mapping the frame point (fx, fy) to the region's centre. */
static FbSimilarity
random_transform (const FbRect * region, double fx, double fy, GRand * rand)
{
  double scale = exp (g_rand_double_range (rand, log (0.25), log (3.0)));
  double angle = g_rand_double_range (rand, 0, 2 * G_PI);
  /* Some transforms keep rows parallel to one canonical axis; some of those land on
   * whole pixels, the last column and row included. */
  gboolean axis = g_rand_int_range (rand, 0, 4) == 0;
  gboolean whole = axis && g_rand_boolean (rand);
  FbSimilarity s;

  if (axis)
    angle = G_PI / 2 * g_rand_int_range (rand, 0, 4);
  if (whole)
    scale = 1 << g_rand_int_range (rand, 0, 3);
  /* On a 1/1024 grid: axis-aligned angles get exact zeros. */
  s.a = (float) round (scale * cos (angle) * 1024) / 1024;
  s.b = (float) round (scale * sin (angle) * 1024) / 1024;
  s.tx = (float) (region->x + region->width / 2.0 - (s.a * fx - s.b * fy));
  s.ty = (float) (region->y + region->height / 2.0 - (s.b * fx + s.a * fy));
  if (whole) {
    s.tx = roundf (s.tx);
    s.ty = roundf (s.ty);
  }
  return s;
}

/* The bilinear mix with 8-bit weights, edges clamped, at 16.16 position (u, v). */
static int
fixed_bilinear (const FbImage * image, gint64 u, gint64 v, int c)
{
  gint64 cu = CLAMP (u, 0, (gint64) (image->width - 1) * ONE);
  gint64 cv = CLAMP (v, 0, (gint64) (image->height - 1) * ONE);
  int x0 = (int) (cu / ONE), y0 = (int) (cv / ONE);
  int x1 = MIN (x0 + 1, image->width - 1), y1 = MIN (y0 + 1, image->height - 1);
  int wx = (int) (cu >> 8) & 255, wy = (int) (cv >> 8) & 255, n = image->channels;
  const uint8_t *r0 = fb_image_row (image, y0), *r1 = fb_image_row (image, y1);
  int top = r0[x0 * n + c] * (256 - wx) + r0[x1 * n + c] * wx;
  int bottom = r1[x0 * n + c] * (256 - wx) + r1[x1 * n + c] * wx;

  return (top * (256 - wy) + bottom * wy + 32768) >> 16;
}

/* (c + 1/2) / 2^shift - 1/2 in 16.16, rounded down as a right shift rounds. */
static gint64
coverage_position (gint64 c, int shift)
{
  gint64 shifted = c + ONE / 2;

  return (shifted >= 0 ? shifted >> shift : -((-shifted + (1 << shift) - 1) >> shift))
      - ONE / 2;
}

/* The definition, one pixel at a time: positions step by the rounded 16.16 transform
 * along each row from the row's rounded start. */
static void
reference_patch (const FbPatchSource * s, FbRect patch, FbImage * rgb, FbImage * alpha)
{
  gint64 du = lrint (s->to_canonical.a * ONE), dv = lrint (s->to_canonical.b * ONE);
  int x, y, c;

  for (y = 0; y < patch.height; y++) {
    FbSimilarity t = s->to_canonical;
    double fx = patch.x, fy = patch.y + y;
    gint64 u0 = llround ((t.a * fx - t.b * fy + t.tx - s->region.x) * ONE);
    gint64 v0 = llround ((t.b * fx + t.a * fy + t.ty - s->region.y) * ONE);
    for (x = 0; x < patch.width; x++) {
      gint64 u = u0 + x * du, v = v0 + x * dv;
      uint8_t *out = fb_image_row (rgb, y) + 3 * x, *a = fb_image_row (alpha, y) + x;
      *a = 0;
      memset (out, 0, 3);
      if (u < -ONE / 2 || v < -ONE / 2 || u > (gint64) s->colours->width * ONE - ONE / 2
          || v > (gint64) s->colours->height * ONE - ONE / 2)
        continue;
      *a = s->coverage ? fixed_bilinear (s->coverage, coverage_position (u,
              s->coverage_shift), coverage_position (v, s->coverage_shift), 0) : 255;
      /* a debug view's picture: all or nothing */
      if (s->hard_edge && *a > 0)
        *a = 255;
      /* faded: round (a * strength / 255), strength in 8 bits */
      *a = (*a * (int) lrintf (s->strength * 255) + 127) / 255;
      for (c = 0; c < 3; c++)
        out[c] = s->nearest ? fb_image_row (s->colours, MIN ((v + ONE / 2) / ONE,
                s->colours->height - 1))[3 * MIN ((u + ONE / 2) / ONE,
                s->colours->width - 1) + c] : fixed_bilinear (s->colours, u, v, c);
    }
  }
}

/* fb_patch_pixel, the kernels' one pixel at a time, gives the definition's colour and
 * opacity. */
static void
check_patch_pixels (const FbPatchSource * source, FbRect patch, const FbImage * rgb,
    const FbImage * alpha)
{
  FbPatchSampler sampler = fb_patch_sampler (source);
  int x, y;

  for (y = 0; y < patch.height; y++)
    for (x = 0; x < patch.width; x++) {
      uint8_t colour[3], a = fb_patch_pixel (&sampler, patch.x, patch.x + x, patch.y + y,
          colour);
      g_assert_cmpint (a, ==, fb_image_row (alpha, y)[x]);
      if (a > 0)
        g_assert_cmpmem (colour, 3, fb_image_row (rgb, y) + 3 * x, 3);
    }
}

/* Random sources and patches (with or without a hard edge), also overhanging the frame:
 * the same bytes as the definition followed by fb_frame_blend_rgb, on one thread and on
 * several. */
static void
test_matches_definition (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  FbWorkers *one = fb_workers_new (1), *several = fb_workers_new (3);
  int n;

  for (n = 0; n < 400; n++) {
    FbFormat format = (FbFormat) (n % FB_N_FORMATS);
    gboolean large = n % 5 == 0;
    int fw = g_rand_int_range (rand, 1, large ? 400 : 60);
    int fh = g_rand_int_range (rand, 1, large ? 300 : 50);
    int shift = g_rand_int_range (rand, 0, 4);
    FbRect region = { g_rand_int_range (rand, -50, 50), g_rand_int_range (rand, -50, 50),
      g_rand_int_range (rand, 1, large ? 200 : 30),
      g_rand_int_range (rand, 1, large ? 200 : 30)
    };
    FbRect patch = { g_rand_int_range (rand, -20, fw), g_rand_int_range (rand, -20, fh),
      g_rand_int_range (rand, 1, fw + 30), g_rand_int_range (rand, 1, fh + 30)
    };
    g_autoptr (FbImage) colours = random_colours (region.width, region.height, rand);
    g_autoptr (FbImage) coverage = blocky_coverage (((region.width - 1) >> shift) + 1,
        ((region.height - 1) >> shift) + 1, rand);
    FbPatchSource source = { random_transform (&region,
          patch.x + patch.width / 2.0, patch.y + patch.height / 2.0, rand), region,
      colours, g_rand_int_range (rand, 0, 6) ? coverage : NULL, shift,
      g_rand_int_range (rand, 0, 4) == 0,
      n % 3 ? 1.0f : n % 6 == 0 ? 0.0f : (float) g_rand_double (rand), n % 4 == 1
    };
    TestFrame *expected = test_frame_new (format, fw, fh, rand);
    TestFrame *banded = test_frame_copy (expected), *whole = test_frame_copy (expected);
    FbRect frame_rect = { 0, 0, fw, fh }, shown = fb_rect_intersect (patch, frame_rect);
    int i;

    /* Rows start at the patch's first column inside the frame. */
    if (shown.width > 0 && shown.height > 0) {
      g_autoptr (FbImage) rgb = fb_image_new (shown.width, shown.height, 3);
      g_autoptr (FbImage) alpha = fb_image_new (shown.width, shown.height, 1);
      reference_patch (&source, shown, rgb, alpha);
      check_patch_pixels (&source, shown, rgb, alpha);
      fb_frame_blend_rgb (&expected->frame, shown, rgb, alpha);
    }
    fb_composite_patch_onto (one, &source, patch, &whole->frame);
    fb_composite_patch_onto (several, &source, patch, &banded->frame);
    for (i = 0; i < (int) expected->size; i++)
      if (whole->memory[i] != expected->memory[i] || banded->memory[i]
          != expected->memory[i])
        g_error ("case %d (format %d, %dx%d frame, patch %d,%d %dx%d, region %dx%d, "
            "shift %d%s%s%s, strength %.3f): byte %d is %d (one thread), %d (several), "
            "expected %d", n, format, fw, fh, patch.x, patch.y, patch.width, patch.height,
            region.width, region.height, shift, source.coverage ? "" : ", no coverage",
            source.nearest ? ", nearest" : "", source.hard_edge ? ", hard edge" : "",
            source.strength, i, whole->memory[i],
            banded->memory[i], expected->memory[i]);
    test_frame_free (expected);
    test_frame_free (banded);
    test_frame_free (whole);
  }
  fb_workers_free (one);
  fb_workers_free (several);
  g_rand_free (rand);
}

/* What compositing did before positions were fixed point: bilinear sampling at float
 * positions, blended. A smooth face comes out the same but for rounding, and pixels
 * whose position is outside the region or whose coverage is 0 around it keep their
 * bytes. */
static void
test_close_to_exact_sampling (void)
{
  GRand *rand = g_rand_new_with_seed (11);
  FbWorkers *workers = fb_workers_new (2);
  FbFormat formats[] = { FB_FORMAT_I420, FB_FORMAT_RGB };
  int n;

  for (n = 0; n < 12; n++) {
    FbRect region = { 30, -20, 300, 360 };
    int shift = 3, fw = 640, fh = 480, x, y, c;
    FbRect patch = { 60, 20, 520, 440 };
    g_autoptr (FbImage) colours = fb_test_random_image (region.width, region.height, 3,
        12.0f, n);
    g_autoptr (FbImage) coverage = fb_image_new (((region.width - 1) >> shift) + 1,
        ((region.height - 1) >> shift) + 1, 1);
    g_autoptr (FbImage) rgb = fb_image_new (patch.width, patch.height, 3);
    g_autoptr (FbImage) alpha = fb_image_new (patch.width, patch.height, 1);
    g_autoptr (FbImage) hidden = fb_image_new (patch.width, patch.height, 1);
    FbPatchSource source = { random_transform (&region, fw / 2.0, fh / 2.0, rand),
      region, colours, coverage, shift, FALSE, 1.0f
    };
    TestFrame *expected = test_frame_new (formats[n % 2], fw, fh, rand);
    TestFrame *got = test_frame_copy (expected), *before = test_frame_copy (expected);
    int max_diff = 0, n_off_by_2 = 0;

    /* A feathered ellipse, as the face mask is. */
    for (y = 0; y < coverage->height; y++)
      for (x = 0; x < coverage->width; x++) {
        double dx = (x + 0.5) / coverage->width - 0.5, dy = (y + 0.5) / coverage->height
            - 0.5, r = sqrt (dx * dx + dy * dy) / 0.45;
        fb_image_row (coverage, y)[x] = (uint8_t) CLAMP ((1 - r) * 4 * 255, 0, 255);
      }
    for (y = 0; y < patch.height; y++)
      for (x = 0; x < patch.width; x++) {
        FbPoint f = { patch.x + x, patch.y + y };
        FbPoint p = fb_similarity_apply (source.to_canonical, f);
        double cx = p.x - region.x, cy = p.y - region.y;
        double qx = (cx + 0.5) / (1 << shift) - 0.5, qy = (cy + 0.5) / (1 << shift) - 0.5;
        float m, colour[3];
        uint8_t *h = fb_image_row (hidden, y) + x;
        *h = cx < -0.51 || cy < -0.51 || cx > region.width - 0.49
            || cy > region.height - 0.49;
        fb_image_row (alpha, y)[x] = 0;
        if (cx < -0.5 || cy < -0.5 || cx > region.width - 0.5 || cy > region.height - 0.5)
          continue;
        /* The 8-bit weights inside, float ones at the edges. */
        if (qx >= 0 && qy >= 0 && qx < coverage->width - 1 && qy < coverage->height - 1) {
          uint8_t a8;
          fb_sample_bilinear_inside (coverage->data, coverage->stride, 1, qx, qy, &a8);
          m = a8;
        } else {
          fb_sample_bilinear (coverage->data, coverage->stride, coverage->width,
              coverage->height, 1, qx, qy, &m);
        }
        if (cx >= 0 && cy >= 0 && cx < colours->width - 1 && cy < colours->height - 1) {
          uint8_t c8[3];
          fb_sample_bilinear_inside (colours->data, colours->stride, 3, cx, cy, c8);
          for (c = 0; c < 3; c++)
            colour[c] = c8[c];
        } else {
          fb_sample_bilinear (colours->data, colours->stride, colours->width,
              colours->height, 3, cx, cy, colour);
        }
        {
          /* Zero around the position (with margin for rounding): exact zero. */
          int x0 = (int) floor (qx - 0.01), y0 = (int) floor (qy - 0.01), i, j;
          gboolean zero = TRUE;
          for (j = y0; j <= (int) floor (qy + 0.01) + 1; j++)
            for (i = x0; i <= (int) floor (qx + 0.01) + 1; i++)
              zero = zero && fb_image_row (coverage, CLAMP (j, 0, coverage->height - 1))
                  [CLAMP (i, 0, coverage->width - 1)] == 0;
          *h = *h || zero;
        }
        fb_image_row (alpha, y)[x] = (uint8_t) (m + 0.5f);
        for (c = 0; c < 3; c++)
          fb_image_row (rgb, y)[3 * x + c] = (uint8_t) (colour[c] + 0.5f);
      }
    fb_frame_blend_rgb (&expected->frame, patch, rgb, alpha);
    fb_composite_patch_onto (workers, &source, patch, &got->frame);
    for (x = 0; x < (int) expected->size; x++) {
      int diff = ABS (got->memory[x] - expected->memory[x]);
      max_diff = MAX (max_diff, diff);
      n_off_by_2 += diff == 2;
    }
    /* An 8-bit colour and alpha one level off together move a blend by 2. */
    g_assert_cmpint (max_diff, <=, 2);
    g_assert_cmpint (n_off_by_2, <=, expected->size / 100000);

    /* Hidden pixels: luma (or the whole pixel) bit-exact. */
    for (y = 0; y < patch.height; y++)
      for (x = 0; x < patch.width; x++)
        if (fb_image_row (hidden, y)[x]) {
          int fx = patch.x + x, fy = patch.y + y;
          size_t bpp = formats[n % 2] == FB_FORMAT_RGB ? 3 : 1;
          size_t at = (size_t) fy * got->frame.strides[0] + bpp * fx;
          for (c = 0; c < (int) bpp; c++)
            g_assert_cmpint (got->frame.planes[0][at + c], ==,
                before->frame.planes[0][at + c]);
        }
    test_frame_free (expected);
    test_frame_free (got);
    test_frame_free (before);
  }
  fb_workers_free (workers);
  g_rand_free (rand);
}

/* A face composited at strength 0 leaves every format's frame bit-exact, at 1 it is
 * the face as it was before strength existed (the definition's coverage), and at 0.5
 * each byte lies half-way between the two, to rounding. */
static void
test_strength (void)
{
  GRand *rand = g_rand_new_with_seed (13);
  FbWorkers *workers = fb_workers_new (2);
  int format;

  for (format = 0; format < FB_N_FORMATS; format++) {
    int fw = 160, fh = 120, shift = 2, i;
    FbRect region = { -10, 5, 120, 100 }, patch = { -8, -4, 180, 130 };
    g_autoptr (FbImage) colours = random_colours (region.width, region.height, rand);
    g_autoptr (FbImage) coverage = blocky_coverage (((region.width - 1) >> shift) + 1,
        ((region.height - 1) >> shift) + 1, rand);
    FbPatchSource source = { random_transform (&region, fw / 2.0, fh / 2.0, rand),
      region, colours, format % 2 ? coverage : NULL, shift, FALSE, 1.0f
    };
    TestFrame *before = test_frame_new ((FbFormat) format, fw, fh, rand);
    TestFrame *full = test_frame_copy (before), *half = test_frame_copy (before);
    TestFrame *none = test_frame_copy (before), *expected = test_frame_copy (before);
    FbRect shown = fb_rect_intersect (patch, (FbRect) { 0, 0, fw, fh });
    g_autoptr (FbImage) rgb = fb_image_new (shown.width, shown.height, 3);
    g_autoptr (FbImage) alpha = fb_image_new (shown.width, shown.height, 1);
    int n_changed = 0;

    reference_patch (&source, shown, rgb, alpha);
    fb_frame_blend_rgb (&expected->frame, shown, rgb, alpha);
    fb_composite_patch_onto (workers, &source, patch, &full->frame);
    source.strength = 0.5f;
    fb_composite_patch_onto (workers, &source, patch, &half->frame);
    source.strength = 0.0f;
    fb_composite_patch_onto (workers, &source, patch, &none->frame);
    g_assert_cmpmem (none->memory, none->size, before->memory, before->size);
    g_assert_cmpmem (full->memory, full->size, expected->memory, expected->size);
    for (i = 0; i < (int) before->size; i++) {
      int mid = (before->memory[i] + full->memory[i]) / 2;
      /* in 8-bit samples (chroma sums round differently, but stay this close) */
      if (ABS (half->memory[i] - mid) > 2 && format != FB_FORMAT_I420_10LE
          && format != FB_FORMAT_P010_10LE)
        g_error ("format %d byte %d: %d at half strength, %d at none, %d at full", format,
            i, half->memory[i], before->memory[i], full->memory[i]);
      n_changed += half->memory[i] != before->memory[i];
    }
    g_assert_cmpint (n_changed, >, 0);
    test_frame_free (before);
    test_frame_free (full);
    test_frame_free (half);
    test_frame_free (none);
    test_frame_free (expected);
  }
  fb_workers_free (workers);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/composite/matches-definition", test_matches_definition);
  g_test_add_func ("/composite/close-to-exact-sampling", test_close_to_exact_sampling);
  g_test_add_func ("/composite/strength", test_strength);
  return g_test_run ();
}
