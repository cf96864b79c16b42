/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fb-dlib.h"
#include "fb-file.h"
#include "fb-vectorised.h"

#include <dlib/array2d.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/serialize.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ext/stdio_filebuf.h>
#include <istream>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>
#include <sys/mman.h>

/* The tracker and everything after it work with dlib's 68-point (iBUG-300W) model. */
enum { N_PARTS = 68, N_VALUES = 2 * N_PARTS };

/* A caller's grey buffer seen through dlib's generic image interface, so that neither
 * the detector nor the predictor needs a copy of it. Read-only: only the const parts of
 * the interface exist. */
namespace fb
{
  struct GreyView
  {
    const uint8_t *data;
    long width;
    long height;
    long stride;
  };

  inline long num_rows (const GreyView & img) { return img.height; }
  inline long num_columns (const GreyView & img) { return img.width; }
  inline long width_step (const GreyView & img) { return img.stride; }
  inline const void *image_data (const GreyView & img) { return img.data; }
}

namespace dlib
{
  template <> struct image_traits<fb::GreyView>
  {
    typedef unsigned char pixel_type;
  };
}

/* A split node of a packed regression tree: the walk goes to the left child when
 * features[idx1] - features[idx2] > thresh, as in dlib::impl::regression_tree. The
 * features are pixel values, so their difference is a whole number and comparing it
 * with floor (thresh) decides as dlib does, in half the bytes. */
struct PackedSplit
{
  uint16_t idx1;
  uint16_t idx2;
  int16_t thresh;
};

/* A leaf of a packed regression tree: the shape change (box-normalised x0 y0 x1 y1...)
 * that a walk ending there adds, as quanta * scale, its largest |value| LEAF_QUANTUM
 * quanta. These are half the bytes of dlib's floats, so a fit that finds the model out
 * of cache (as in a running pipeline) waits for half the memory traffic. Taking the
 * same branches as dlib's floats, the landmarks of a 300 px face move by < 0.001 px;
 * a scale per tree would be ~15x coarser (a tree's largest leaf is typically 6, up to
 * 140 times its median one), enough to send many walks down other branches. 288
 * bytes from a 32-byte aligned start span exactly 5 cache lines, like the 272 that
 * the quanta need. */
struct PackedLeaf
{
  int16_t quanta[N_VALUES];
  float scale;
  uint8_t padding[12];
};
static_assert (sizeof (PackedLeaf) == 288, "a leaf is 288 bytes");
enum { LEAF_QUANTUM = 32767 };

struct FreeDeleter
{
  void operator () (void *memory) const { std::free (memory); }
};

/* dlib's 68-point shape_predictor, read into our own layout: evaluating the cascade
 * here keeps the landmarks sub-pixel (dlib::shape_predictor rounds them to integer
 * points), allocates nothing per call (after a thread's first), and gives access to
 * the mean shape, which the tracker needs to place re-fitting boxes.
 *
 * The fit is bound by memory: each tree ends in a leaf of 136 values picked at random
 * from 7500 x 16 leaves, which no cache keeps while the rest of a frame's work runs.
 * dlib's regression_tree keeps its splits and every leaf in separate heap blocks, so
 * a tree costs a chain of cache misses. Here all trees have the same depth and all
 * cascades the same number of trees (as dlib trains them): tree t of cascade c is
 * number c * n_trees + t both in `splits` (n_splits each) and in `leaves` (n_splits + 1
 * each), the leaves in one 2 MiB aligned block that the kernel may back by huge pages. */
struct FbShapeModel
{
  dlib::matrix<float, 0, 1> mean_shape; /* x0 y0 x1 y1..., box-normalised [0,1] */
  std::vector<std::vector<unsigned long>> anchor_idx;
  std::vector<std::vector<dlib::vector<float, 2>>> deltas;
  size_t n_cascades, n_trees, n_splits;
  std::vector<PackedSplit> splits;
  std::unique_ptr<PackedLeaf[], FreeDeleter> leaves;
  /* the mean shape centred on its centroid, and its sum of squared norms */
  float mean_centred[2 * N_PARTS];
  float mean_centroid_x, mean_centroid_y, mean_norm2;
  size_t max_features;
};

struct FbFaceDetector
{
  dlib::frontal_face_detector detector;
  std::vector<dlib::rect_detection> detections;
  dlib::array2d<unsigned char> enlarged;        /* kept: the same size every time */
};

static void
set_error (char **error_out, const std::string & message)
{
  if (error_out)
    *error_out = strdup (message.c_str ());
}

/* dlib's messages span several indented lines. */
static std::string
one_line (const char *message)
{
  std::string line;
  bool space = false;

  for (const char *c = message; *c; c++) {
    if (std::isspace ((unsigned char) *c)) {
      space = !line.empty ();
      continue;
    }
    if (space)
      line += ' ';
    line += *c;
    space = false;
  }
  return line;
}

/* The model file is read here rather than by dlib's deserialisers, which trust it: they
 * size a std::vector, or a matrix, from the count in the file before reading a single
 * element (a few hostile bytes would make them allocate and fill gigabytes), and they
 * negate a number's magnitude in its own signed type, which overflows for the most
 * negative value (undefined behaviour, found by fuzz-model). Every element takes at
 * least one byte of the file, so each count is checked against the file's size first. */
static void read_item (dlib::matrix<float, 0, 1> & column, std::istream & in,
    uint64_t max_count);
static void read_item (dlib::impl::regression_tree & tree, std::istream & in,
    uint64_t max_count);

/* dlib's integer form: a control byte (0x80: negative; low 4 bits: how many bytes of
 * magnitude follow, least significant first), then the magnitude. Unsigned types have
 * no sign; a magnitude beyond the type's range is an error, as in dlib. */
template <typename T> static void
read_integer (T & item, std::istream & in)
{
  static_assert (std::is_integral<T>::value && sizeof (T) <= 8, "an integer of dlib's");
  std::streambuf *const buf = in.rdbuf ();
  const int control = buf->sbumpc ();
  if (control == EOF)
    throw dlib::serialization_error ("the file ends inside a number");
  const bool negative = control & 0x80;
  const unsigned n_bytes = control & 0x0F;
  if (n_bytes == 0 || n_bytes > sizeof (T) || (negative && !std::is_signed<T>::value))
    throw dlib::serialization_error ("a number that does not fit its field");
  uint64_t magnitude = 0;
  for (unsigned i = 0; i < n_bytes; i++) {
    const int byte = buf->sbumpc ();
    if (byte == EOF)
      throw dlib::serialization_error ("the file ends inside a number");
    magnitude |= (uint64_t) byte << (8 * i);
  }
  const uint64_t max = (uint64_t) std::numeric_limits<T>::max ();
  if (magnitude > max + (negative ? 1 : 0))
    throw dlib::serialization_error ("a number out of its field's range");
  /* -(magnitude - 1) - 1: the most negative value without overflowing on the way */
  item = negative && magnitude > 0 ? (T) (-(T) (magnitude - 1) - 1) : (T) magnitude;
}

static void
read_item (unsigned long &item, std::istream & in, uint64_t max_count)
{
  read_integer (item, in);
}

/* dlib's binary float: two integers, mantissa and exponent, that dlib::float_details
 * turns into the value (or an infinity or NaN). A first byte with any of the bits 0x70
 * set is dlib's older text form, which holds no integers to overflow: dlib reads it. */
static void
read_item (float &item, std::istream & in, uint64_t max_count)
{
  const int first = in.rdbuf ()->sgetc ();
  if (first == EOF)
    throw dlib::serialization_error ("the file ends inside a number");
  if ((first & 0x70) != 0) {
    dlib::deserialize (item, in);
    return;
  }
  dlib::float_details details;
  read_integer (details.mantissa, in);
  read_integer (details.exponent, in);
  item = details;
}

static void
read_item (dlib::vector<float, 2> &point, std::istream & in, uint64_t max_count)
{
  read_item (point.x (), in, max_count);
  read_item (point.y (), in, max_count);
}

static void
read_item (dlib::impl::split_feature & split, std::istream & in, uint64_t max_count)
{
  read_item (split.idx1, in, max_count);
  read_item (split.idx2, in, max_count);
  read_item (split.thresh, in, max_count);
}

template <typename T> static void
read_item (std::vector<T> & items, std::istream & in, uint64_t max_count)
{
  unsigned long n;

  read_integer (n, in);
  if (n > max_count)
    throw dlib::serialization_error ("a vector of " + std::to_string (n) + " elements, "
        "more than the file has bytes");
  items.resize (n);
  for (T & item : items)
    read_item (item, in, max_count);
}

/* A column of N_VALUES numbers, the only matrix a 68-point model holds. */
static void
read_item (dlib::matrix<float, 0, 1> & column, std::istream & in, uint64_t max_count)
{
  long rows, cols;

  read_integer (rows, in);
  read_integer (cols, in);
  /* dlib writes the sizes negated (its newer format) or as they are */
  if ((rows != N_VALUES && rows != -N_VALUES) || (cols != 1 && cols != -1))
    throw dlib::serialization_error ("a matrix of " + std::to_string (rows) + "x"
        + std::to_string (cols) + " values where a column of " + std::to_string (N_VALUES)
        + " belongs");
  column.set_size (N_VALUES);
  for (long r = 0; r < N_VALUES; r++)
    read_item (column (r), in, max_count);
}

static void
read_item (dlib::impl::regression_tree & tree, std::istream & in, uint64_t max_count)
{
  read_item (tree.splits, in, max_count);
  read_item (tree.leaf_values, in, max_count);
}

/* Reads the shape_predictor's serialised forests (format version 1: a
 * std::vector<std::vector<dlib::impl::regression_tree>>) tree by tree into the packed
 * layout, so that dlib's form of the 65 MB never exists as a whole. */
static void
read_forests (FbShapeModel * model, std::istream & in, uint64_t file_size)
{
  dlib::impl::regression_tree tree;
  unsigned long n_cascades, n_trees;

  /* dlib serialises a std::vector as its size followed by its elements */
  read_integer (n_cascades, in);
  for (size_t c = 0; c < n_cascades; c++) {
    read_integer (n_trees, in);
    if (n_trees == 0 || (c > 0 && n_trees != model->n_trees))
      throw dlib::serialization_error ("cascades of different sizes");
    for (size_t t = 0; t < n_trees; t++) {
      read_item (tree, in, file_size);
      const size_t n_splits = tree.splits.size ();
      if (c == 0 && t == 0) {
        /* whole 2 MiB pages, which the kernel may back by huge pages: one TLB entry
         * each instead of one per 4 KiB */
        const size_t huge_page = 2 << 20;
        size_t n_all_trees, leaf_bytes;
        /* each leaf takes N_VALUES bytes of the file at least: more leaves than the
         * file can hold would only reserve memory for an error */
        if (__builtin_mul_overflow (n_cascades, n_trees, &n_all_trees)
            || __builtin_mul_overflow (n_all_trees, (n_splits + 1) * sizeof (PackedLeaf),
                &leaf_bytes) || leaf_bytes > SIZE_MAX - huge_page
            || leaf_bytes / sizeof (PackedLeaf) > file_size / N_VALUES)
          throw dlib::serialization_error ("forest sizes out of range");
        const size_t bytes = (leaf_bytes + huge_page - 1) / huge_page * huge_page;
        model->n_cascades = n_cascades;
        model->n_trees = n_trees;
        model->n_splits = n_splits;
        model->splits.reserve (n_all_trees * n_splits);
        model->leaves.reset ((PackedLeaf *) std::aligned_alloc (huge_page, bytes));
        if (!model->leaves)
          throw std::bad_alloc ();
#ifdef MADV_HUGEPAGE
        madvise (model->leaves.get (), bytes, MADV_HUGEPAGE);
#endif
      }
      if (n_splits != model->n_splits || tree.leaf_values.size () != n_splits + 1)
        throw dlib::serialization_error ("trees of different sizes");
      for (const dlib::impl::split_feature & split : tree.splits) {
        if (split.idx1 > UINT16_MAX || split.idx2 > UINT16_MAX)
          throw dlib::serialization_error ("feature index out of range");
        /* differences of pixels lie in [-255, 255]: a clamped threshold decides alike,
         * and one that is NaN sends every walk right, as in dlib */
        const float thresh = std::isnan (split.thresh) ? INT16_MAX
            : std::clamp (std::floor (split.thresh), (float) INT16_MIN,
            (float) INT16_MAX);
        model->splits.push_back ({ (uint16_t) split.idx1, (uint16_t) split.idx2,
                (int16_t) thresh });
      }
      PackedLeaf *leaf = model->leaves.get () + (c * n_trees + t) * (n_splits + 1);
      for (const dlib::matrix<float, 0, 1> &value : tree.leaf_values) {
        if ((size_t) value.size () != N_VALUES)
          throw dlib::serialization_error ("leaves of the wrong size");
        const float *values = &value (0);
        float largest = 0;
        bool finite = true;
        /* std::max drops a NaN, so each value is checked on its own */
        for (int i = 0; i < N_VALUES; i++) {
          largest = std::max (largest, std::fabs (values[i]));
          finite = finite && std::isfinite (values[i]);
        }
        if (!finite)
          throw dlib::serialization_error ("leaf values out of range");
        /* below 1e-30 of the box a leaf is 0, and LEAF_QUANTUM / largest is finite */
        const float to_quanta = largest > 1e-30f ? LEAF_QUANTUM / largest : 0;
        /* rounded half away from zero, which (unlike lrint) vectorises: the model's
         * 16 M values add ~3 % to its load time */
        for (int i = 0; i < N_VALUES; i++) {
          const float quanta = values[i] * to_quanta;
          leaf->quanta[i] = (int16_t) (quanta + (quanta < 0 ? -0.5f : 0.5f));
        }
        leaf->scale = to_quanta > 0 ? largest / LEAF_QUANTUM : 0;
        std::memset (leaf->padding, 0, sizeof leaf->padding);
        leaf++;
      }
    }
  }
}

static bool
model_is_consistent (const FbShapeModel & m)
{
  if (m.mean_shape.size () != N_VALUES || m.n_cascades == 0
      || m.n_cascades != m.anchor_idx.size () || m.n_cascades != m.deltas.size ())
    return false;
  for (size_t c = 0; c < m.n_cascades; c++) {
    const size_t n_features = m.deltas[c].size ();
    if (m.anchor_idx[c].size () != n_features)
      return false;
    for (unsigned long anchor : m.anchor_idx[c])
      if (anchor >= N_PARTS)
        return false;
    for (size_t i = 0; i < m.n_trees * m.n_splits; i++) {
      const PackedSplit & split = m.splits[c * m.n_trees * m.n_splits + i];
      if (split.idx1 >= n_features || split.idx2 >= n_features)
        return false;
    }
  }
  return true;
}

extern "C" FbShapeModel *
fb_shape_model_load (const char *path, char **error_out)
{
  try {
    GError *file_error = nullptr;
    struct stat st;
    const int fd = path && *path ? fb_file_open_regular (path, &st, &file_error) : -1;
    if (fd < 0 && (!file_error
            || g_error_matches (file_error, FB_FILE_ERROR, FB_FILE_ERROR_NOT_FOUND))) {
      g_clear_error (&file_error);
      set_error (error_out, std::string ("dlib's face landmark model '") +
          (path ? path : "") + "' does not exist: install the Debian package "
          "libdlib-data or set the model property to the path of "
          "shape_predictor_68_face_landmarks.dat");
      return nullptr;
    }
    if (fd < 0) {
      set_error (error_out, std::string ("cannot read dlib's face landmark model '")
          + path + "': " + file_error->message + "; set the model property to a "
          "readable shape_predictor_68_face_landmarks.dat");
      g_error_free (file_error);
      return nullptr;
    }
    /* the stream reads (and closes) the descriptor checked to be a regular file */
    __gnu_cxx::stdio_filebuf<char> file (fd, std::ios::in | std::ios::binary, 1 << 16);
    std::istream in (&file);

    FbShapeModel *model = new FbShapeModel ();
    try {
      int version = 0;
      read_integer (version, in);
      if (version != 1)
        throw dlib::serialization_error ("unknown shape_predictor format version "
            + std::to_string (version));
      read_item (model->mean_shape, in, st.st_size);
      read_forests (model, in, st.st_size);
      read_item (model->anchor_idx, in, st.st_size);
      read_item (model->deltas, in, st.st_size);
      if (!model_is_consistent (*model))
        throw dlib::serialization_error ("not a consistent 68-point shape predictor");
    }
    catch (const std::exception & e) {
      delete model;
      set_error (error_out, std::string ("'") + path + "' is not dlib's 68-point face "
          "landmark model (" + one_line (e.what ()) + "): reinstall the Debian package "
          "libdlib-data or set the model property to "
          "shape_predictor_68_face_landmarks.dat");
      return nullptr;
    }

    float cx = 0, cy = 0, norm2 = 0;
    for (int i = 0; i < N_PARTS; i++) {
      cx += model->mean_shape (2 * i);
      cy += model->mean_shape (2 * i + 1);
    }
    cx /= N_PARTS;
    cy /= N_PARTS;
    for (int i = 0; i < N_PARTS; i++) {
      float dx = model->mean_shape (2 * i) - cx, dy = model->mean_shape (2 * i + 1) - cy;
      model->mean_centred[2 * i] = dx;
      model->mean_centred[2 * i + 1] = dy;
      norm2 += dx * dx + dy * dy;
    }
    model->mean_centroid_x = cx;
    model->mean_centroid_y = cy;
    model->mean_norm2 = norm2;
    model->max_features = 0;
    for (const auto & d : model->deltas)
      model->max_features = std::max (model->max_features, d.size ());
    return model;
  }
  catch (const std::exception & e) {
    set_error (error_out, std::string ("cannot load dlib's face landmark model '") +
        (path ? path : "") + "': " + e.what ());
  }
  catch (...) {
    set_error (error_out, std::string ("cannot load dlib's face landmark model '") +
        (path ? path : "") + "': unknown error");
  }
  return nullptr;
}

extern "C" void
fb_shape_model_free (FbShapeModel * model)
{
  delete model;
}

/* Leaves fetched ahead of the sum: enough to keep the memory busy (measured: 4 to 16
 * perform alike), few enough to stay in L1. */
enum { PREFETCH_AHEAD = 8 };

static inline void
prefetch_leaf (const PackedLeaf * leaf)
{
  const char *bytes = (const char *) leaf;
  /* one prefetch per 64 bytes reaches all 5 cache lines of a leaf */
  for (size_t offset = 0; offset < sizeof (PackedLeaf); offset += 64)
    __builtin_prefetch (bytes + offset);
}

/* a, b of the least-squares similarity [a -b; b a] taking the centred mean shape onto
 * the centred `shape`: what dlib's find_tform_between_shapes computes (Umeyama), in
 * closed form. */
static void
similarity_from_mean (const FbShapeModel * model, const float *shape, float *a, float *b)
{
  float cx = 0, cy = 0, sa = 0, sb = 0;
  int i;

  for (i = 0; i < N_PARTS; i++) {
    cx += shape[2 * i];
    cy += shape[2 * i + 1];
  }
  cx /= N_PARTS;
  cy /= N_PARTS;
  for (i = 0; i < N_PARTS; i++) {
    float mx = model->mean_centred[2 * i], my = model->mean_centred[2 * i + 1];
    float x = shape[2 * i] - cx, y = shape[2 * i + 1] - cy;
    sa += mx * x + my * y;
    sb += mx * y - my * x;
  }
  *a = sa / model->mean_norm2;
  *b = sb / model->mean_norm2;
}

extern "C" FB_VECTORISED int
fb_shape_model_fit (const FbShapeModel * model, const uint8_t * grey, int width,
    int height, int stride, FbRect box, FbPoint * points_out)
{
  try {
    if (!model || !grey || !points_out || width <= 0 || height <= 0 || stride < width
        || box.width < 2 || box.height < 2)
      return -1;

    /* dlib's boxes are inclusive: (0,0) of the normalised shape maps to the top-left
     * pixel centre and (1,1) to the bottom-right one. */
    const double left = box.x, top = box.y;
    const double span_x = box.width - 1, span_y = box.height - 1;
    const size_t n_trees = model->n_trees, n_splits = model->n_splits;
    const size_t n_leaves = n_splits + 1;
    thread_local std::vector<uint8_t> features;
    thread_local std::vector<const PackedLeaf *> chosen;
    float shape[N_VALUES];

    features.resize (model->max_features);
    chosen.resize (n_trees);
    for (int i = 0; i < N_VALUES; i++)
      shape[i] = model->mean_shape (i);

    for (size_t c = 0; c < model->n_cascades; c++) {
      const std::vector<unsigned long> &anchors = model->anchor_idx[c];
      const std::vector<dlib::vector<float, 2>> &deltas = model->deltas[c];
      const PackedSplit *splits = model->splits.data () + c * n_trees * n_splits;
      const PackedLeaf *leaves = model->leaves.get () + c * n_trees * n_leaves;
      float a, b;

      similarity_from_mean (model, shape, &a, &b);
      for (size_t i = 0; i < deltas.size (); i++) {
        const unsigned long k = anchors[i];
        const float u = a * deltas[i].x () - b * deltas[i].y () + shape[2 * k];
        const float v = b * deltas[i].x () + a * deltas[i].y () + shape[2 * k + 1];
        const double px = std::floor (left + u * span_x + 0.5);
        const double py = std::floor (top + v * span_y + 0.5);
        if (px >= 0 && py >= 0 && px < width && py < height)
          features[i] = grey[(size_t) py * stride + (size_t) px];
        else
          features[i] = 0;
      }
      /* The features stay fixed within a cascade, so every tree's leaf can be found
       * first (without branches: each split goes either way by chance); then, while
       * the leaves are added, those a few trees ahead are fetched so that their cache
       * misses overlap. */
      for (size_t t = 0; t < n_trees; t++, splits += n_splits) {
        size_t node = 0;
        while (node < n_splits) {
          const PackedSplit & split = splits[node];
          const bool left = features[split.idx1] - features[split.idx2] > split.thresh;
          node = 2 * node + 2 - left;
        }
        chosen[t] = leaves + t * n_leaves + node - n_splits;
      }
      for (size_t t = 0; t < n_trees && t < PREFETCH_AHEAD; t++)
        prefetch_leaf (chosen[t]);
      for (size_t t = 0; t < n_trees; t++) {
        const PackedLeaf *leaf = chosen[t];
        const float scale = leaf->scale;
        if (t + PREFETCH_AHEAD < n_trees)
          prefetch_leaf (chosen[t + PREFETCH_AHEAD]);
        for (int i = 0; i < N_VALUES; i++)
          shape[i] += scale * leaf->quanta[i];
      }
    }

    for (int i = 0; i < N_PARTS; i++) {
      points_out[i].x = (float) (left + shape[2 * i] * span_x);
      points_out[i].y = (float) (top + shape[2 * i + 1] * span_y);
    }
    return 0;
  }
  catch (...) {
    return -1;
  }
}

extern "C" int
fb_shape_model_box_for_points (const FbShapeModel * model, const FbPoint * points,
    FbRect * box_out)
{
  try {
    double cx = 0, cy = 0, cross = 0, size;
    int i;

    if (!model || !points || !box_out)
      return -1;
    for (i = 0; i < N_PARTS; i++) {
      if (!std::isfinite (points[i].x) || !std::isfinite (points[i].y))
        return -1;
      cx += points[i].x;
      cy += points[i].y;
    }
    cx /= N_PARTS;
    cy /= N_PARTS;
    /* points ~ corner + size * mean_shape, one size for x and y (detector boxes are
     * square): least squares over the centred coordinates gives size directly. */
    for (i = 0; i < N_PARTS; i++)
      cross += model->mean_centred[2 * i] * (points[i].x - cx)
          + model->mean_centred[2 * i + 1] * (points[i].y - cy);
    size = cross / model->mean_norm2;
    if (!(size >= 1) || size > 1e6)
      return -1;
    box_out->x = (int) std::lround (cx - size * model->mean_centroid_x);
    box_out->y = (int) std::lround (cy - size * model->mean_centroid_y);
    box_out->width = box_out->height = (int) std::lround (size) + 1;
    return 0;
  }
  catch (...) {
    return -1;
  }
}

extern "C" FbFaceDetector *
fb_face_detector_new (char **error_out)
{
  try {
    /* get_frontal_face_detector () decompresses its weights (~0.4 s); copying a
     * decoded one is cheap. */
    static const dlib::frontal_face_detector prototype =
        dlib::get_frontal_face_detector ();
    FbFaceDetector *detector = new FbFaceDetector ();
    detector->detector = prototype;
    return detector;
  }
  catch (const std::exception & e) {
    set_error (error_out, std::string ("cannot create dlib's face detector: ") + e.what ());
  }
  catch (...) {
    set_error (error_out, "cannot create dlib's face detector: unknown error");
  }
  return nullptr;
}

extern "C" void
fb_face_detector_free (FbFaceDetector * detector)
{
  delete detector;
}

extern "C" int
fb_face_detector_run (FbFaceDetector * detector, const uint8_t * grey, int width,
    int height, int stride, FbDetection * out, int max_out)
{
  return fb_face_detector_run_enlarged (detector, grey, width, height, stride, 1.0f, out,
      max_out);
}

extern "C" int
fb_face_detector_run_enlarged (FbFaceDetector * detector, const uint8_t * grey,
    int width, int height, int stride, float enlarge, FbDetection * out, int max_out)
{
  try {
    if (!detector || !grey || width <= 0 || height <= 0 || stride < width || max_out < 0
        || !(enlarge >= 1.0f))
      return -1;
    enlarge = std::min ((double) enlarge, std::sqrt (FB_FACE_DETECTOR_MAX_PIXELS
            / ((double) width * height)));

    const fb::GreyView view = { grey, width, height, stride };
    std::vector<dlib::rect_detection> &found = detector->detections;
    double to_x = 1, to_y = 1;  /* detection pixels per pixel of grey */
    if (enlarge > 1.0f) {
      dlib::array2d<unsigned char> &big = detector->enlarged;
      const long big_width = (long) (width * enlarge);
      const long big_height = (long) (height * enlarge);
      if (big.nc () != big_width || big.nr () != big_height)
        big.set_size (big_height, big_width);
      /* bilinear: HOG looks at gradients, which a sharper filter would only ring */
      dlib::resize_image (view, big);
      detector->detector (big, found, 0.0);
      to_x = (double) big_width / width;
      to_y = (double) big_height / height;
    } else {
      detector->detector (view, found, 0.0);
    }
    std::stable_sort (found.begin (), found.end (),
        [](const dlib::rect_detection & p, const dlib::rect_detection & q) {
          return p.detection_confidence > q.detection_confidence;
        });
    int n = std::min ((int) found.size (), max_out);
    for (int i = 0; i < n; i++) {
      const dlib::rectangle & r = found[i].rect;
      const long x0 = std::lround (r.left () / to_x), y0 = std::lround (r.top () / to_y);
      out[i].box.x = (int) x0;
      out[i].box.y = (int) y0;
      out[i].box.width = (int) (std::lround ((r.right () + 1) / to_x) - x0);
      out[i].box.height = (int) (std::lround ((r.bottom () + 1) / to_y) - y0);
      out[i].score = found[i].detection_confidence;
    }
    return n;
  }
  catch (...) {
    return -1;
  }
}
