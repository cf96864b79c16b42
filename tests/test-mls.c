/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "fb-mls.h"
#include "fb-mls-pixel.h"

#define N 12

static void
make_points (FbPoint * from, FbPoint * to)
{
  GRand *rand = g_rand_new_with_seed (7);
  int i;

  for (i = 0; i < N; i++) {
    from[i].x = g_rand_double_range (rand, 10, 190);
    from[i].y = g_rand_double_range (rand, 10, 190);
    /* a rotation and scale plus a small non-rigid wobble */
    to[i].x = 0.9f * from[i].x - 0.2f * from[i].y + 30 + g_rand_double_range (rand, -4, 4);
    to[i].y = 0.2f * from[i].x + 0.9f * from[i].y - 10 + g_rand_double_range (rand, -4, 4);
  }
  g_rand_free (rand);
}

static void
test_interpolates_control_points (void)
{
  FbPoint from[N], to[N];
  int i;

  make_points (from, to);
  for (i = 0; i < N; i++) {
    FbPoint near = { from[i].x + 0.01f, from[i].y - 0.01f };
    FbPoint at = fb_mls_similarity (from, to, N, from[i]);
    FbPoint f = fb_mls_similarity (from, to, N, near);
    g_assert_cmpfloat_with_epsilon (at.x, to[i].x, 1e-4);
    g_assert_cmpfloat_with_epsilon (at.y, to[i].y, 1e-4);
    g_assert_cmpfloat_with_epsilon (f.x, to[i].x, 0.1);
    g_assert_cmpfloat_with_epsilon (f.y, to[i].y, 0.1);
  }
}

static void
test_reproduces_a_similarity (void)
{
  FbPoint from[N], to[N], v = { 77, 123 }, f;
  int i;

  make_points (from, to);
  for (i = 0; i < N; i++) {
    to[i].x = 0.8f * from[i].x - 0.3f * from[i].y + 5;
    to[i].y = 0.3f * from[i].x + 0.8f * from[i].y + 7;
  }
  f = fb_mls_similarity (from, to, N, v);
  g_assert_cmpfloat_with_epsilon (f.x, 0.8f * v.x - 0.3f * v.y + 5, 1e-3);
  g_assert_cmpfloat_with_epsilon (f.y, 0.3f * v.x + 0.8f * v.y + 7, 1e-3);
}

/* Between control points the field must be smooth: neighbouring pixels map to nearby
 * places (no tears or folds at the scale of a pixel). */
static void
test_field_is_smooth (void)
{
  FbPoint from[N], to[N];
  int w = 200, h = 180, spacing = 8, x, y;
  FbPoint *nodes = g_new (FbPoint, fb_mls_grid_nodes (w, h, spacing));
  float *field = g_new (float, 2 * w * h);
  double worst = 0;
  FbMlsField f = { from, to, N, 0, 0, w, h, spacing, nodes, field };

  make_points (from, to);
  /* in two pieces each, as threads would */
  fb_mls_field_nodes (&f, 0, 5);
  fb_mls_field_nodes (&f, 5, fb_mls_field_node_rows (&f));
  fb_mls_field_interpolate (&f, 0, 77);
  fb_mls_field_interpolate (&f, 77, h);
  for (y = 0; y < h; y++)
    for (x = 1; x < w; x++) {
      float *a = field + 2 * (y * w + x - 1), *b = field + 2 * (y * w + x);
      worst = MAX (worst, hypot (b[0] - a[0], b[1] - a[1]));
    }
  g_assert_cmpfloat (worst, <, 3.0);
  /* the interpolated field agrees with the exact map at a grid node and between nodes */
  {
    FbPoint v = { 48, 64 }, exact = fb_mls_similarity (from, to, N, v);
    float *f = field + 2 * (64 * w + 48);
    g_assert_cmpfloat_with_epsilon (f[0], exact.x, 1e-3);
    g_assert_cmpfloat_with_epsilon (f[1], exact.y, 1e-3);
  }
  {
    FbPoint v = { 52, 69 }, exact = fb_mls_similarity (from, to, N, v);
    float *f = field + 2 * (69 * w + 52);
    g_assert_cmpfloat (fabs (f[0] - exact.x) + fabs (f[1] - exact.y), <, 1.5);
  }
  g_free (nodes);
  g_free (field);
}

/* Nodes are evaluated several at a time: each must be exactly what fb_mls_similarity
 * gives for it alone, also in rows where a node falls on a control point. */
static void
test_nodes_are_exact (void)
{
  FbPoint from[N], to[N];
  int w = 203, h = 61, spacing = 8, i;
  FbPoint *nodes = g_new (FbPoint, fb_mls_grid_nodes (w, h, spacing));
  FbMlsField f = { from, to, N, -13, 7, w, h, spacing, nodes, NULL };
  int cols = w / spacing + 2;

  make_points (from, to);
  from[3].x = f.origin_x + 5 * spacing;
  from[3].y = f.origin_y + 2 * spacing;
  fb_mls_field_nodes (&f, 0, fb_mls_field_node_rows (&f));
  for (i = 0; i < cols * fb_mls_field_node_rows (&f); i++) {
    FbPoint v = { f.origin_x + (i % cols) * spacing, f.origin_y + (i / cols) * spacing };
    FbPoint exact = fb_mls_similarity (from, to, N, v);
    g_assert_cmpmem (&nodes[i], sizeof (FbPoint), &exact, sizeof (FbPoint));
  }
  g_assert_cmpfloat (nodes[2 * cols + 5].x, ==, to[3].x);
  g_free (nodes);
}

/* The CUDA kernels' field, fb_mls_field_pixel pixel by pixel, is bit for bit the
 * CPU's, which steps along each row. */
static void
test_field_pixel_is_interpolation (void)
{
  FbPoint from[N], to[N];
  int w = 203, h = 61, spacing = 8, x, y;
  FbPoint *nodes = g_new (FbPoint, fb_mls_grid_nodes (w, h, spacing));
  float *field = g_new (float, 2 * w * h);
  FbMlsField f = { from, to, N, -13, 7, w, h, spacing, nodes, field };

  make_points (from, to);
  fb_mls_field_nodes (&f, 0, fb_mls_field_node_rows (&f));
  fb_mls_field_interpolate (&f, 0, h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      FbPoint p = fb_mls_field_pixel (nodes, w / spacing + 2, spacing, x, y);
      g_assert_cmpmem (&p, sizeof (p), field + 2 * (y * w + x), sizeof (p));
    }
  g_free (nodes);
  g_free (field);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mls/interpolates-control-points", test_interpolates_control_points);
  g_test_add_func ("/mls/reproduces-a-similarity", test_reproduces_a_similarity);
  g_test_add_func ("/mls/field-is-smooth", test_field_is_smooth);
  g_test_add_func ("/mls/nodes-are-exact", test_nodes_are_exact);
  g_test_add_func ("/mls/field-pixel-is-interpolation", test_field_pixel_is_interpolation);
  return g_test_run ();
}
