/* faceblit — the CUDA kernels: each computes which pixel or cell is its own and calls
 * the per-pixel function that the CPU backend calls for it. nvcc builds this file into
 * the plugin's fatbin; the tests compile it as C++ (tests/fb-cuda-emulation.h) and run
 * it on the CPU.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-frame-kernels.cuh"
#include "fb-guide-kernels.cuh"
#include "fb-lighting-kernels.cuh"
#include "fb-synthesis-kernels.cuh"
