/* faceblit — reading the seed lookup table (fb-seed-table.h) one pixel at a time, for
 * the CPU threads and the CUDA kernels alike.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "fb-hostdevice.h"

/* A style pixel is named by (y << 16) | x, so that reading it back needs no division
 * (style levels are under 65536 pixels a side). */
#define FB_PIXEL_PACK(x, y) (((uint32_t) (y) << 16) | (uint32_t) (x))
#define FB_PIXEL_X(p) ((int) ((uint32_t) (p) & 0xFFFFu))
#define FB_PIXEL_Y(p) ((int) ((uint32_t) (p) >> 16))

/* Nearest cell to (x, y) (clamped into the table) and bin of app (0..255). The cell's
 * position in style pixels goes to *cell_x, *cell_y unless they are NULL. */
FB_FUNC uint32_t
fb_seed_table_lookup (const uint32_t * entries, int cols, int rows, int step, int n_app,
    float x, float y, int app, int *cell_x, int *cell_y)
{
  int c = (int) (x / step + 0.5f), r = (int) (y / step + 0.5f);
  int b = app * n_app / 256;
  c = c < 0 ? 0 : (c >= cols ? cols - 1 : c);
  r = r < 0 ? 0 : (r >= rows ? rows - 1 : r);
  b = b < 0 ? 0 : (b >= n_app ? n_app - 1 : b);
  if (cell_x && cell_y) {
    *cell_x = c * step;
    *cell_y = r * step;
  }
  return entries[((size_t) b * rows + r) * cols + c];
}
