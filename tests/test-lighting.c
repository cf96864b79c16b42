/* faceblit — tests for the lighting option's arithmetic (fb-lighting-pixel.h) and its
 * CPU stage (fb_face_lighting_apply): lighting 0 and the outside of the face are left
 * as they are, and at lighting 1 a face lit from the side stays lit from that side.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "fb-lighting.h"
#include "fb-test-helpers.h"

/* At lighting 0, and outside the face at any lighting, the gain is exactly 1, and a
 * gain map of 1 leaves every colour as it is; inside the face at full lighting the
 * gain is the ratio of the relative lumas, clamped. */
static void
test_gain_formula (void)
{
  GRand *rand = g_rand_new_with_seed (5);
  uint16_t ones[4 * 3];
  int n, k;

  for (n = 0; n < 10000; n++) {
    uint16_t target = (uint16_t) g_rand_int_range (rand, 0, 65281);
    uint16_t stylized = (uint16_t) g_rand_int_range (rand, 0, 65281);
    uint32_t ratio = (uint32_t) g_rand_int_range (rand, FB_LIGHTING_RATIO_ONE / 16,
        FB_LIGHTING_RATIO_ONE * 16 + 1);
    uint8_t coverage = (uint8_t) g_rand_int_range (rand, 0, 256);

    g_assert_cmpint (fb_lighting_gain (target, stylized, ratio, coverage, 0), ==,
        FB_LIGHTING_ONE);
    g_assert_cmpint (fb_lighting_gain (target, stylized, ratio, 0,
            g_rand_int_range (rand, 0, FB_LIGHTING_FULL + 1)), ==, FB_LIGHTING_ONE);
  }
  for (k = 0; k < 12; k++)
    ones[k] = FB_LIGHTING_ONE;
  for (n = 0; n < 1000; n++) {
    uint8_t rgb[3], before[3];
    for (k = 0; k < 3; k++)
      before[k] = rgb[k] = (uint8_t) g_rand_int_range (rand, 0, 256);
    fb_lighting_pixel (ones, 0, 4, 3, g_rand_int_range (rand, 0, 4),
        g_rand_int_range (rand, -5, 40), g_rand_int_range (rand, -5, 30), rgb);
    g_assert_cmpmem (rgb, 3, before, 3);
  }
  /* twice as bright as its mean where the stylized face is at its mean: 2 */
  g_assert_cmpint (fb_lighting_gain (2 * 25600, 25600, FB_LIGHTING_RATIO_ONE, 255,
          FB_LIGHTING_FULL), ==, 2 * FB_LIGHTING_ONE);
  /* a stylized face twice as bright overall halves it */
  g_assert_cmpint (fb_lighting_gain (25600, 25600, FB_LIGHTING_RATIO_ONE / 2, 255,
          FB_LIGHTING_FULL), ==, FB_LIGHTING_ONE / 2);
  /* half the lighting, half the way (to the truncation) */
  g_assert_cmpint (fb_lighting_gain (2 * 25600, 25600, FB_LIGHTING_RATIO_ONE, 255,
          FB_LIGHTING_FULL / 2), ==, 3 * FB_LIGHTING_ONE / 2);
  g_assert_cmpint (fb_lighting_gain (65280, 1, FB_LIGHTING_RATIO_ONE, 255,
          FB_LIGHTING_FULL), ==, FB_LIGHTING_GAIN_MAX);
  g_assert_cmpint (fb_lighting_gain (0, 65280, FB_LIGHTING_RATIO_ONE, 255,
          FB_LIGHTING_FULL), ==, FB_LIGHTING_GAIN_MIN);
  {
    /* halved exactly; doubled, eased below white: 100 + 100 * 155 / sqrt (100^2 +
     * 155^2), 200 + 200 * 55 / sqrt (200^2 + 55^2), 250 + 250 * 5 / sqrt (250^2 + 5^2) */
    uint8_t rgb[3] = { 100, 200, 250 }, dark[3] = { 100, 201, 255 };
    uint16_t doubled[1] = { 2 * FB_LIGHTING_ONE }, halved[1] = { FB_LIGHTING_ONE / 2 };
    fb_lighting_pixel (doubled, 0, 1, 1, 0, 0, 0, rgb);
    g_assert_cmpint (rgb[0], ==, 184);
    g_assert_cmpint (rgb[1], ==, 253);
    g_assert_cmpint (rgb[2], ==, 254);
    fb_lighting_pixel (halved, 0, 1, 1, 0, 0, 0, dark);
    g_assert_cmpint (dark[0], ==, 50);
    g_assert_cmpint (dark[1], ==, 101);
    g_assert_cmpint (dark[2], ==, 128);
  }
  {
    /* a gain per channel (a painted background's tone gains): doubled, kept, halved */
    uint8_t rgb[3] = { 100, 200, 250 };
    uint16_t planes[3] = { 2 * FB_LIGHTING_ONE, FB_LIGHTING_ONE, FB_LIGHTING_ONE / 2 };
    fb_lighting_pixel (planes, 1, 1, 1, 0, 0, 0, rgb);
    g_assert_cmpint (rgb[0], ==, 184);
    g_assert_cmpint (rgb[1], ==, 200);
    g_assert_cmpint (rgb[2], ==, 125);
  }
  g_rand_free (rand);
}

/* The relight's arithmetic as the CPU's loops compute it, without branches, is the
 * plain one: a channel times its gain, eased only where it brightens (every value and
 * gain the clamp allows); the gain map's mix in two steps is fb_bilinear_mix's. */
static void
test_relight_unbranched (void)
{
  GRand *rand = g_rand_new_with_seed (9);
  int value, gain, n;

  for (gain = FB_LIGHTING_GAIN_MIN; gain <= FB_LIGHTING_GAIN_MAX; gain++)
    for (value = 0; value < 256; value++) {
      int v = (value * gain + FB_LIGHTING_ONE / 2) >> 12;
      int expected = v > value ? value + fb_lighting_lift (v - value, 255 - value) : v;
      if (fb_lighting_channel (value, gain) != expected)
        g_error ("value %d, gain %d: %d, not %d", value, gain,
            fb_lighting_channel (value, gain), expected);
    }
  for (n = 0; n < 100000; n++) {
    uint16_t g[4];
    int wx = g_rand_int_range (rand, 0, 256), wy = g_rand_int_range (rand, 0, 256), k;
    for (k = 0; k < 4; k++)
      g[k] = (uint16_t) g_rand_int_range (rand, FB_LIGHTING_GAIN_MIN,
          FB_LIGHTING_GAIN_MAX + 1);
    g_assert_cmpint (fb_lighting_gain_across (fb_lighting_gain_column (g, 2, wy),
            fb_lighting_gain_column (g + 1, 2, wy), wx), ==, fb_bilinear_mix (g[0], g[1],
            g[2], g[3], wx, wy));
  }
  g_rand_free (rand);
}

/* A synthetic face: an ellipse of coverage at a quarter of the synthesis resolution,
 * the output at twice it. */
#define SYNTHESIS_WIDTH 120
#define SYNTHESIS_HEIGHT 140
#define FACE_WIDTH 80.0f

typedef struct {
  FbStyleLevel level;
  FbFacePlan plan;
  FbImage *luma;                /* the target's: lit from its right, its left in shadow */
  FbImage *coverage;
  FbImage *output;              /* the stylized face: lit from its left */
} SideLit;

static float
smoothstep (float t)
{
  t = CLAMP (t, 0.0f, 1.0f);
  return t * t * (3 - 2 * t);
}

static void
side_lit_init (SideLit * s, float lighting)
{
  FbFacePlan *p = &s->plan;
  g_autoptr (FbImage) texture = NULL;
  int x, y, k;

  memset (s, 0, sizeof (*s));
  s->level.face_width = FACE_WIDTH;
  p->synthesis_level = &s->level;
  p->synthesis_region = (FbRect) { -10, 20, SYNTHESIS_WIDTH, SYNTHESIS_HEIGHT };
  p->synthesis_shift = 1;
  p->region = (FbRect) { -20, 40, SYNTHESIS_WIDTH * 2, SYNTHESIS_HEIGHT * 2 };
  p->coverage_shift = 2;
  p->coverage_width = ((SYNTHESIS_WIDTH - 1) >> 2) + 1;
  p->coverage_height = ((SYNTHESIS_HEIGHT - 1) >> 2) + 1;
  p->lighting = fb_lighting_fixed (lighting);

  s->coverage = fb_image_new (p->coverage_width, p->coverage_height, 1);
  for (y = 0; y < p->coverage_height; y++)
    for (x = 0; x < p->coverage_width; x++) {
      float dx = (x - 14.5f) / 10, dy = (y - 17.0f) / 13, r = sqrtf (dx * dx + dy * dy);
      fb_image_row (s->coverage, y)[x] = (uint8_t) lrintf (255 * smoothstep ((1.1f - r)
              / 0.2f));
    }
  /* shading across the face's 80 pixels: 0.35 on its left to 1 on its right */
  texture = fb_test_random_image (SYNTHESIS_WIDTH, SYNTHESIS_HEIGHT, 1, 2.0f, 11);
  s->luma = fb_image_new (SYNTHESIS_WIDTH, SYNTHESIS_HEIGHT, 1);
  for (y = 0; y < SYNTHESIS_HEIGHT; y++)
    for (x = 0; x < SYNTHESIS_WIDTH; x++) {
      float shade = 0.35f + 0.65f * smoothstep ((x - 20) / 80.0f);
      fb_image_row (s->luma, y)[x] = (uint8_t) lrintf (shade * (150 + 0.2f
              * (fb_image_row (texture, y)[x] - 128)));
    }
  /* the exemplar's strokes, brighter on the face's left, in mid-tones (bright strokes
   * brighten less: fb_lighting_lift) */
  s->output = fb_test_random_image (2 * SYNTHESIS_WIDTH, 2 * SYNTHESIS_HEIGHT, 3, 3.0f, 12);
  for (y = 0; y < 2 * SYNTHESIS_HEIGHT; y++)
    for (x = 0; x < 2 * SYNTHESIS_WIDTH; x++)
      for (k = 0; k < 3; k++) {
        uint8_t *v = fb_image_row (s->output, y) + 3 * x + k;
        *v = (uint8_t) lrintf (*v * (0.4f + 0.25f * (1 - smoothstep ((x - 40) / 160.0f))));
      }
}

static void
side_lit_clear (SideLit * s)
{
  fb_image_free (s->luma);
  fb_image_free (s->coverage);
  fb_image_free (s->output);
}

/* Whether output pixel (x, y) is well inside the face: coverage 255 there. */
static gboolean
inside_face (const SideLit * s, int x, int y)
{
  return fb_coverage_at (s->coverage->data, s->coverage->width, s->coverage->height,
      s->coverage->stride, 3, x * FB_PATCH_ONE, y * FB_PATCH_ONE) == 255;
}

/* The mean luma of the face's left half of the output (or, scale 2, of the target's
 * luma) over its right half's. */
static double
left_right_ratio (const SideLit * s, const FbImage * image)
{
  double sum[2] = { 0 }, n[2] = { 0 };
  int scale = image->channels == 1 ? 2 : 1, x, y;

  for (y = 0; y < 2 * SYNTHESIS_HEIGHT; y++)
    for (x = 0; x < 2 * SYNTHESIS_WIDTH; x++) {
      const uint8_t *p;
      int half = x >= 2 * 60;
      if (!inside_face (s, x, y))
        continue;
      p = fb_image_row (image, y / scale) + image->channels * (x / scale);
      sum[half] += image->channels == 1 ? p[0] : 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      n[half]++;
    }
  g_assert_cmpfloat (n[0], >, 1000);
  g_assert_cmpfloat (n[1], >, 1000);
  return (sum[0] / n[0]) / (sum[1] / n[1]);
}

/* At lighting 1 the stylized face's left/right ratio follows the target's (it was the
 * other way round), at 0.5 it is between; pixels whose coverage is 0 are untouched. */
static void
test_side_lit_face (void)
{
  FbWorkers *workers = fb_workers_new (2);
  double target = 0, before = 0, after[2];
  int i;

  for (i = 0; i < 2; i++) {
    SideLit s;
    FbFaceLighting lighting = { 0 };
    g_autoptr (FbImage) stylized = NULL;
    uint32_t level_ratio = 0;
    int x, y;

    side_lit_init (&s, i == 0 ? 1.0f : 0.5f);
    stylized = fb_image_copy (s.output);
    target = left_right_ratio (&s, s.luma);
    before = left_right_ratio (&s, s.output);
    fb_face_lighting_apply (&lighting, workers, &s.plan, s.luma, s.coverage, NULL, s.output,
        &level_ratio);
    g_assert_cmpuint (level_ratio, >, 0);
    after[i] = left_right_ratio (&s, s.output);
    for (y = 0; y < s.output->height; y++)
      for (x = 0; x < s.output->width; x++)
        if (fb_coverage_at (s.coverage->data, s.coverage->width, s.coverage->height,
                s.coverage->stride, 3, x * FB_PATCH_ONE, y * FB_PATCH_ONE) == 0)
          g_assert_cmpmem (fb_image_row (s.output, y) + 3 * x, 3,
              fb_image_row (stylized, y) + 3 * x, 3);
    fb_face_lighting_clear (&lighting);
    side_lit_clear (&s);
  }
  g_test_message ("left/right luma: target %.3f, stylized %.3f, lighting 1 %.3f, "
      "lighting 0.5 %.3f", target, before, after[0], after[1]);
  g_assert_cmpfloat (target, <, 0.7);
  g_assert_cmpfloat (before, >, 1.2);
  /* within 15 % of the target's, from twice it (the lit side's strokes brighten a
   * little less than the ratio: fb_lighting_lift) */
  g_assert_cmpfloat (fabs (after[0] / target - 1), <, 0.15);
  g_assert_cmpfloat (fabs (after[0] - target), <, 0.2 * fabs (before - target));
  g_assert_cmpfloat (after[1], >, after[0] + 0.1);
  g_assert_cmpfloat (after[1], <, before - 0.1);
  fb_workers_free (workers);
}

/* The level ratio: this frame's without a previous one, then an eighth of the way from
 * the previous one each frame, so that it settles on this frame's; the clamp holds. */
static void
test_level_ratio_eases (void)
{
  /* target 100, stylized 150 per row: a ratio of 1.5 */
  const uint32_t sums[] = { 100, 150, 100, 150 };
  const uint32_t one = FB_LIGHTING_RATIO_ONE, ratio = one * 3 / 2;
  const uint32_t extreme[] = { 1, 1000000 };
  uint32_t eased = one;
  int frame;

  g_assert_cmpuint (fb_lighting_level_ratio (sums, 2, 0), ==, ratio);
  g_assert_cmpuint (fb_lighting_level_ratio (sums, 2, ratio), ==, ratio);
  g_assert_cmpuint (fb_lighting_level_ratio (sums, 2, one), ==, one + (ratio - one) / 8);
  for (frame = 0; frame < 10; frame++)
    eased = fb_lighting_level_ratio (sums, 2, eased);
  /* 10 frames: (7/8)^10 = 26 % of the step left */
  g_assert_cmpfloat (fabs ((double) (ratio - eased) / (ratio - one) - 0.263), <, 0.01);
  for (frame = 0; frame < 200; frame++)
    eased = fb_lighting_level_ratio (sums, 2, eased);
  g_assert_cmpuint (eased, >=, ratio - 4);
  g_assert_cmpuint (eased, <=, ratio);
  g_assert_cmpuint (fb_lighting_level_ratio (extreme, 1, 0), ==, one * 16);
  g_assert_cmpuint (fb_lighting_level_ratio (extreme, 1, one * 16), ==, one * 16);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lighting/gain-formula", test_gain_formula);
  g_test_add_func ("/lighting/relight-unbranched", test_relight_unbranched);
  g_test_add_func ("/lighting/side-lit-face", test_side_lit_face);
  g_test_add_func ("/lighting/level-ratio-eases", test_level_ratio_eases);
  return g_test_run ();
}
