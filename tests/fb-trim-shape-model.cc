/* fb-trim-shape-model — writes a copy of a dlib shape predictor that keeps only the
 * first N regression trees of each cascade. tools/gpu-check packs it for the machines
 * lent with a GPU, which are reached with at most 64 MiB: dlib's 68-point model is
 * 95 MB, and the element cannot follow a face without one. Both backends track with the
 * same model, so the comparisons hold; the landmarks are a little coarser (the trees of
 * a cascade add ever smaller corrections), and a fit costs N / 500 of the real one.
 * C++ because dlib's serialization is; it reads and writes the pieces of dlib's
 * shape_predictor in dlib's own order, so that dlib (and fb-dlib.cpp) load the result.
 *
 *   fb-trim-shape-model IN.dat OUT.dat TREES-PER-CASCADE
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/serialize.h>

int
main (int argc, char **argv)
{
  if (argc != 4) {
    std::fprintf (stderr, "usage: %s IN.dat OUT.dat TREES-PER-CASCADE\n", argv[0]);
    return 2;
  }
  char *end;
  const unsigned long keep = std::strtoul (argv[3], &end, 10);
  if (*end || keep == 0) {
    std::fprintf (stderr, "%s: TREES-PER-CASCADE must be a positive number, not '%s'\n",
        argv[0], argv[3]);
    return 2;
  }

  int version;
  dlib::matrix<float, 0, 1> initial_shape;
  std::vector<std::vector<dlib::impl::regression_tree>> forests;
  std::vector<std::vector<unsigned long>> anchor_idx;
  std::vector<std::vector<dlib::vector<float, 2>>> deltas;
  try {
    std::ifstream in (argv[1], std::ios::binary);
    if (!in) {
      std::fprintf (stderr, "%s: cannot open %s\n", argv[0], argv[1]);
      return 1;
    }
    dlib::deserialize (version, in);
    dlib::deserialize (initial_shape, in);
    dlib::deserialize (forests, in);
    dlib::deserialize (anchor_idx, in);
    dlib::deserialize (deltas, in);
    if (version != 1 || forests.empty ()) {
      std::fprintf (stderr, "%s: %s is not a dlib shape predictor of version 1\n",
          argv[0], argv[1]);
      return 1;
    }
  }
  catch (const std::exception &e) {
    std::fprintf (stderr, "%s: cannot read %s: %s\n", argv[0], argv[1], e.what ());
    return 1;
  }

  for (auto &forest : forests)
    if (forest.size () > keep)
      forest.resize (keep);

  std::ofstream out (argv[2], std::ios::binary | std::ios::trunc);
  dlib::serialize (version, out);
  dlib::serialize (initial_shape, out);
  dlib::serialize (forests, out);
  dlib::serialize (anchor_idx, out);
  dlib::serialize (deltas, out);
  out.close ();
  if (!out) {
    std::fprintf (stderr, "%s: cannot write %s\n", argv[0], argv[2]);
    return 1;
  }
  return 0;
}
