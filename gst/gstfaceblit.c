/* faceblit — GStreamer element that restyles every face after one example portrait.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-faceblit
 * @title: faceblit
 *
 * Restyles every face in a video so that it looks painted or drawn like one example
 * portrait, the style exemplar, in real time. The output is made of real pieces of the
 * exemplar (example-based synthesis guided by 68 facial landmarks, after FaceBlit and
 * StyleBlit), so brush strokes and paper texture survive; no training is needed.
 *
 * Faces are found with dlib's HOG detector and followed with its 68-point shape
 * predictor (package libdlib-data). Frames without a face pass through unchanged unless
 * #GstFaceBlit:stylize-background is set. Every stylized face is reported as a
 * #GstVideoRegionOfInterestMeta of type "face" whose "faceblit" parameter structure
 * holds the face's tracking "id" (guint) and its 68 landmarks as "landmarks-x" and
 * "landmarks-y" (arrays of floats, frame pixels). The same faces (ids, boxes and
 * landmarks) are also in one custom meta per buffer named "FaceBlitFacesMeta"
 * (gst_buffer_get_custom_meta ()), whose structure's "faces" list follows the frame
 * through videoconvert and videoscale (the ROI meta keeps its box there but loses its
 * parameters); with #GstFaceBlit:post-messages they are also posted on the bus,
 * frame by frame.
 *
 * Each time a style is prepared (at start, and after every change of the style
 * properties) the element posts an element message "faceblit-style-ready" ("style"
 * as set, "path" of the exemplar, "preparation-ms", "cached") or
 * "faceblit-style-failed" ("style", "path", "reason").
 *
 * The exemplar's landmarks come from #GstFaceBlit:style-landmarks, else from a file
 * next to the image named like it with the extension replaced by ".lm.txt", else dlib
 * finds them. Prepared exemplars are cached on disk (in $FACEBLIT_CACHE_DIR, else the
 * user's cache directory), so a style loads fast from the second time on.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! faceblit ! videoconvert ! autovideosink
 * ]| Webcam restyled after the bundled exemplar.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     faceblit style=charcoal.png voting=5 stylize-background=true ! videoconvert ! \
 *     x264enc ! mp4mux ! filesink location=out.mp4
 * ]| A clip drawn in charcoal, background included.
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     faceblit debug-view=landmarks ! videoconvert ! autovideosink
 * ]| Shows the landmarks the element follows.
 *
 * Since: 0.1
 */

#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include <gst/video/video.h>

#include "gstfaceblit.h"
#include "gstfaceblit-cuda.h"
#include "gstfaceblit-faces.h"
#include "gstfaceblit-messages.h"
#include "fb-backend.h"
#include "fb-bundled-styles.h"
#include "fb-dlib.h"
#include "fb-engine.h"
#include "fb-image-io.h"
#include "fb-landmarks.h"
#include "fb-style.h"

GST_DEBUG_CATEGORY (gst_face_blit_debug);
#define GST_CAT_DEFAULT gst_face_blit_debug

#define DEFAULT_THREADS 0

typedef enum
{
  GST_FACE_BLIT_BACKEND_AUTO,
  GST_FACE_BLIT_BACKEND_CPU,
  GST_FACE_BLIT_BACKEND_CUDA,
} GstFaceBlitBackend;

#define GST_TYPE_FACE_BLIT_BACKEND (gst_face_blit_backend_get_type ())
static GType gst_face_blit_backend_get_type (void);
G_DEFINE_ENUM_TYPE (GstFaceBlitBackend, gst_face_blit_backend,
    {GST_FACE_BLIT_BACKEND_AUTO,
        "The GPU when the CUDA backend is available, else the CPU", "auto"},
    {GST_FACE_BLIT_BACKEND_CPU, "CPU threads", "cpu"},
    {GST_FACE_BLIT_BACKEND_CUDA, "CUDA GPU (fails to start without one)", "cuda"});

#define GST_TYPE_FACE_BLIT_DEBUG_VIEW (gst_face_blit_debug_view_get_type ())
static GType gst_face_blit_debug_view_get_type (void);
G_DEFINE_ENUM_TYPE (GstFaceBlitDebugView, gst_face_blit_debug_view,
    {FB_DEBUG_VIEW_NONE, "The stylized video (normal operation)", "none"},
    {FB_DEBUG_VIEW_LANDMARKS, "Stylized video with the tracked landmarks drawn on it",
        "landmarks"},
    {FB_DEBUG_VIEW_POSITIONAL_GUIDE,
        "Positional guide: exemplar x and y of each face pixel as red and green",
        "positional-guide"},
    {FB_DEBUG_VIEW_APPEARANCE_GUIDE,
        "Appearance guide: local luminance detail of the face, histogram-matched to "
          "the exemplar, as grey", "appearance-guide"},
    {FB_DEBUG_VIEW_CHUNKS,
        "Each coherent chunk copied from the exemplar in its own colour", "chunks"},
    {FB_DEBUG_VIEW_MASK, "The feathered face mask as grey", "mask"});

/* The values are the window widths, the engine's voting. */
typedef enum
{
  GST_FACE_BLIT_VOTING_OFF = 1,
  GST_FACE_BLIT_VOTING_3X3 = 3,
  GST_FACE_BLIT_VOTING_5X5 = 5,
} GstFaceBlitVoting;

#define GST_TYPE_FACE_BLIT_VOTING (gst_face_blit_voting_get_type ())
static GType gst_face_blit_voting_get_type (void);
G_DEFINE_ENUM_TYPE (GstFaceBlitVoting, gst_face_blit_voting,
    {GST_FACE_BLIT_VOTING_OFF,
        "No voting: sharpest, every face pixel is an exemplar pixel, seams show", "1"},
    {GST_FACE_BLIT_VOTING_3X3, "3x3 window: hides seams", "3"},
    {GST_FACE_BLIT_VOTING_5X5, "5x5 window: the smoothest and slowest", "5"});

/* The values are the engine's synthesis_shift. */
typedef enum
{
  GST_FACE_BLIT_SYNTHESIS_FULL,
  GST_FACE_BLIT_SYNTHESIS_HALF,
} GstFaceBlitSynthesisResolution;

#define GST_TYPE_FACE_BLIT_SYNTHESIS_RESOLUTION \
  (gst_face_blit_synthesis_resolution_get_type ())
static GType gst_face_blit_synthesis_resolution_get_type (void);
G_DEFINE_ENUM_TYPE (GstFaceBlitSynthesisResolution, gst_face_blit_synthesis_resolution,
    {GST_FACE_BLIT_SYNTHESIS_FULL,
        "Chunks are matched at the face's own resolution (the slowest)", "full"},
    {GST_FACE_BLIT_SYNTHESIS_HALF,
        "Chunks are matched at half resolution, their pixels copied at full "
          "resolution", "half"});

enum
{
  PROP_0,
  PROP_STYLE,
  PROP_STYLE_LANDMARKS,
  PROP_MODEL,
  PROP_BACKEND,
  PROP_CUDA_DEVICE_ID,
  PROP_THREADS,
  PROP_VOTING,
  PROP_THRESHOLD,
  PROP_LAMBDA_POS,
  PROP_LAMBDA_APP,
  PROP_LAMBDA_TEMPORAL,
  PROP_STYLIZE_BACKGROUND,
  PROP_STRENGTH,
  PROP_LIGHTING,
  PROP_MAX_FACES,
  PROP_MIN_FACE_SIZE,
  PROP_DETECT_INTERVAL,
  PROP_SMOOTHING,
  PROP_MASK_FEATHER,
  PROP_SYNTHESIS_RESOLUTION,
  PROP_DEBUG_VIEW,
  PROP_POST_MESSAGES,
  PROP_ACTIVE_STYLE,
};

/* Which exemplar to prepare: the properties that make up a style. */
typedef struct
{
  gchar *image;                 /* NULL: the bundled exemplar */
  gchar *landmarks;             /* NULL: a sibling .lm.txt, else dlib */
  FbStyleParams params;
} StyleRequest;

typedef struct _StylePreparation StylePreparation;

struct _GstFaceBlit
{
  GstVideoFilter parent;

  /* Properties, under the object lock. */
  StyleRequest style;
  gboolean style_edited;        /* style properties set, not yet committed */
  StyleRequest style_committed; /* the style to prepare next, once committed */
  gboolean style_changed;       /* style_committed is waiting */
  gchar *model_path;
  GstFaceBlitBackend backend;
  gint cuda_device_id;
  GstCudaContext *cuda_context;  /* shared with the neighbours, while started */
  guint threads;
  FbRenderParams params;
  gboolean post_messages;
  gchar *active_style;          /* the exemplar in use, while started */

  /* Loaded by the first start and kept until the element goes back to NULL, so that
   * READY <-> PAUSED cycles do not parse its 100 MB again (about 0.3 s of CPU);
   * model_loaded_from is the file it came from: a start with another model path loads
   * that one instead. */
  FbShapeModel *model;
  gchar *model_loaded_from;

  /* Between start and stop; used on the streaming thread only. */
  FbEngine *engine;
  FbFormat format;
  FbYuvMatrix matrix;
  guint64 frame_count;
  FbFaceResult faces[FB_TRACKER_MAX_FACES];
  GstSegment segment;           /* the last one received, kept across flushes */

  gint reset_pending;           /* atomic: set by events, honoured at the next frame */
  StylePreparation *preparation;        /* a style being prepared, or NULL */
};

/* A style change is prepared on a thread of its own (up to a few hundred milliseconds
 * for an exemplar seen for the first time) while frames keep flowing with the previous
 * style. Stopping cancels it rather than wait for it. */
struct _StylePreparation
{
  GstFaceBlit *self;
  StyleRequest request;
  GCancellable *cancellable;
  FbStyle *style;
  gchar *path;                  /* of the exemplar */
  gdouble preparation_ms;
  GError *error;
  gint done;                    /* atomic */
  GThread *thread;
};

#define FORMATS "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, BGR, I420, NV12, " \
  "NV21, YUY2, UYVY, GRAY8, I420_10LE, P010_10LE }"

/* CUDA memory (in a build with the CUDA backend) and system memory, in place */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_FACE_BLIT_CUDA_CAPS (FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_FACE_BLIT_CUDA_CAPS (FORMATS)));

G_DEFINE_TYPE (GstFaceBlit, gst_face_blit, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (faceblit, "faceblit", GST_RANK_NONE,
    GST_TYPE_FACE_BLIT, GST_DEBUG_CATEGORY_INIT (gst_face_blit_debug, "faceblit", 0,
        "face stylizer"));

static void
style_request_clear (StyleRequest * request)
{
  g_clear_pointer (&request->image, g_free);
  g_clear_pointer (&request->landmarks, g_free);
}

static void
style_request_copy (const StyleRequest * from, StyleRequest * to)
{
  to->image = g_strdup (from->image);
  to->landmarks = g_strdup (from->landmarks);
  to->params = from->params;
}

static gboolean
gst_face_blit_set_string (gchar ** field, const GValue * value)
{
  const gchar *s = g_value_get_string (value);

  if (g_strcmp0 (*field, s) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (s);
  return TRUE;
}

static void
gst_face_blit_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstFaceBlit *self = GST_FACE_BLIT (object);
  FbRenderParams *p = &self->params;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STYLE:
      self->style_edited |= gst_face_blit_set_string (&self->style.image, value);
      break;
    case PROP_STYLE_LANDMARKS:
      self->style_edited |= gst_face_blit_set_string (&self->style.landmarks, value);
      break;
    case PROP_MODEL:
      gst_face_blit_set_string (&self->model_path, value);
      break;
    case PROP_BACKEND:
      self->backend = g_value_get_enum (value);
      break;
    case PROP_CUDA_DEVICE_ID:
      self->cuda_device_id = g_value_get_int (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_uint (value);
      break;
    case PROP_VOTING:
      p->voting = g_value_get_enum (value);
      break;
    case PROP_THRESHOLD:
      p->threshold = g_value_get_float (value);
      break;
    case PROP_LAMBDA_POS:
    case PROP_LAMBDA_APP:{
      float *lambda = prop_id == PROP_LAMBDA_POS ? &self->style.params.lambda_pos :
          &self->style.params.lambda_app;
      if (*lambda != g_value_get_float (value)) {
        *lambda = g_value_get_float (value);
        self->style_edited = TRUE;
      }
      break;
    }
    case PROP_LAMBDA_TEMPORAL:
      p->lambda_temporal = g_value_get_float (value);
      break;
    case PROP_STYLIZE_BACKGROUND:
      p->stylize_background = g_value_get_boolean (value);
      break;
    case PROP_STRENGTH:
      p->strength = (float) g_value_get_double (value);
      break;
    case PROP_LIGHTING:
      p->lighting = (float) g_value_get_double (value);
      break;
    case PROP_MAX_FACES:
      p->tracking.max_faces = g_value_get_int (value);
      break;
    case PROP_MIN_FACE_SIZE:
      p->tracking.min_face_size = g_value_get_int (value);
      break;
    case PROP_DETECT_INTERVAL:
      p->tracking.detect_interval = g_value_get_int (value);
      break;
    case PROP_SMOOTHING:
      p->tracking.smoothing = g_value_get_float (value);
      break;
    case PROP_MASK_FEATHER:
      p->mask_feather = g_value_get_float (value);
      break;
    case PROP_SYNTHESIS_RESOLUTION:
      p->synthesis_shift = g_value_get_enum (value);
      break;
    case PROP_DEBUG_VIEW:
      p->debug_view = g_value_get_enum (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_face_blit_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstFaceBlit *self = GST_FACE_BLIT (object);
  const FbRenderParams *p = &self->params;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STYLE:
      g_value_set_string (value, self->style.image);
      break;
    case PROP_STYLE_LANDMARKS:
      g_value_set_string (value, self->style.landmarks);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_BACKEND:
      g_value_set_enum (value, self->backend);
      break;
    case PROP_CUDA_DEVICE_ID:
      g_value_set_int (value, self->cuda_device_id);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->threads);
      break;
    case PROP_VOTING:
      g_value_set_enum (value, p->voting);
      break;
    case PROP_THRESHOLD:
      g_value_set_float (value, p->threshold);
      break;
    case PROP_LAMBDA_POS:
      g_value_set_float (value, self->style.params.lambda_pos);
      break;
    case PROP_LAMBDA_APP:
      g_value_set_float (value, self->style.params.lambda_app);
      break;
    case PROP_LAMBDA_TEMPORAL:
      g_value_set_float (value, p->lambda_temporal);
      break;
    case PROP_STYLIZE_BACKGROUND:
      g_value_set_boolean (value, p->stylize_background);
      break;
    case PROP_STRENGTH:
      g_value_set_double (value, p->strength);
      break;
    case PROP_LIGHTING:
      g_value_set_double (value, p->lighting);
      break;
    case PROP_MAX_FACES:
      g_value_set_int (value, p->tracking.max_faces);
      break;
    case PROP_MIN_FACE_SIZE:
      g_value_set_int (value, p->tracking.min_face_size);
      break;
    case PROP_DETECT_INTERVAL:
      g_value_set_int (value, p->tracking.detect_interval);
      break;
    case PROP_SMOOTHING:
      g_value_set_float (value, p->tracking.smoothing);
      break;
    case PROP_MASK_FEATHER:
      g_value_set_float (value, p->mask_feather);
      break;
    case PROP_SYNTHESIS_RESOLUTION:
      g_value_set_enum (value, p->synthesis_shift);
      break;
    case PROP_DEBUG_VIEW:
      g_value_set_enum (value, p->debug_view);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_ACTIVE_STYLE:
      g_value_set_string (value, self->active_style);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* A style is made of several properties (an exemplar and its landmarks, say): hand
 * it to the streaming thread once a g_object_set () has set all of them, never half
 * changed. */
static void
gst_face_blit_dispatch_properties_changed (GObject * object, guint n_pspecs,
    GParamSpec ** pspecs)
{
  GstFaceBlit *self = GST_FACE_BLIT (object);

  GST_OBJECT_LOCK (self);
  if (self->style_edited) {
    style_request_clear (&self->style_committed);
    style_request_copy (&self->style, &self->style_committed);
    self->style_edited = FALSE;
    self->style_changed = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  G_OBJECT_CLASS (gst_face_blit_parent_class)->dispatch_properties_changed (object,
      n_pspecs, pspecs);
}

/* The data folder beside the plugin's file (or the source tree's when the plugin runs
 * from the build tree), where the bundled styles are. */
static gchar *
gst_face_blit_data_dir (void)
{
  Dl_info self_info;
  const char *module = dladdr ((void *) gst_face_blit_data_dir, &self_info)
      && self_info.dli_fname ? self_info.dli_fname : NULL;

  return fb_bundled_data_dir (module, FB_DATA_DIR_FROM_PLUGIN_DIR);
}

/* path: the exemplar's file, whether or not it could be prepared. g_free. */
static FbStyle *
gst_face_blit_load_style (GstFaceBlit * self, const StyleRequest * request,
    GCancellable * cancellable, gchar ** path, gdouble * preparation_ms, GError ** error)
{
  gchar *dir = gst_face_blit_data_dir (), *image = NULL, *landmarks = NULL;
  gint64 began = g_get_monotonic_time ();
  FbStyle *style;

  if (!fb_bundled_style_resolve (request->image ? request->image :
          FB_DEFAULT_STYLE_NAME, dir, &image, &landmarks, error)) {
    /* neither a bundled name nor a file: the failure names what was asked for */
    *path = g_strdup (request->image);
    *preparation_ms = (g_get_monotonic_time () - began) / 1000.0;
    g_free (dir);
    return NULL;
  }
  if (request->landmarks) {
    g_free (landmarks);
    landmarks = g_strdup (request->landmarks);
  }

  GST_DEBUG_OBJECT (self, "preparing style %s with landmarks from %s, lambda-pos %g, "
      "lambda-app %g", image, landmarks ? landmarks : "dlib",
      request->params.lambda_pos, request->params.lambda_app);
  style = fb_style_load_cancellable (image, landmarks, self->model, &request->params,
      cancellable, error);
  *preparation_ms = (g_get_monotonic_time () - began) / 1000.0;
  if (style)
    GST_DEBUG_OBJECT (self, "style %s ready (%d levels, %s) in %.1f ms", style->digest,
        style->n_levels, style->from_cache ? "from the cache" : "built",
        *preparation_ms);
  /* the cache is best effort: what went wrong with it is worth a warning, no more */
  if (style && style->cache_warning)
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s", style->cache_warning), (NULL));

  g_free (landmarks);
  *path = image;
  g_free (dir);
  return style;
}

/* Every preparation, at start or while playing, ends in one of two element messages;
 * a style that is ready also becomes active-style. */
static void
gst_face_blit_report_style (GstFaceBlit * self, const StyleRequest * request,
    const gchar * path, const FbStyle * style, gdouble preparation_ms,
    const GError * error)
{
  GstMessage *message;

  if (style) {
    GST_OBJECT_LOCK (self);
    g_free (self->active_style);
    self->active_style = g_strdup (path);
    GST_OBJECT_UNLOCK (self);
    g_object_notify (G_OBJECT (self), "active-style");
    message = gst_face_blit_style_ready_message (GST_ELEMENT (self), request->image,
        path, preparation_ms, style->from_cache);
  } else {
    message = gst_face_blit_style_failed_message (GST_ELEMENT (self), request->image,
        path, error->message);
  }
  gst_element_post_message (GST_ELEMENT (self), message);
}

/* Posts why a style could not be prepared as an error (at start) or a warning (when
 * a change while playing failed and the previous style stays). The core's messages
 * name the file and say what to do. */
static void
gst_face_blit_post_style_error (GstFaceBlit * self, GstMessageType type,
    const GError * error)
{
  gint code = GST_RESOURCE_ERROR_SETTINGS;

  if (g_error_matches (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_NOT_FOUND))
    code = GST_RESOURCE_ERROR_NOT_FOUND;
  else if (g_error_matches (error, FB_IMAGE_IO_ERROR, FB_IMAGE_IO_ERROR_READ)
      || g_error_matches (error, FB_LANDMARKS_ERROR, FB_LANDMARKS_ERROR_FILE))
    code = GST_RESOURCE_ERROR_OPEN_READ;

  /* image errors do not say which property the file came from */
  gst_element_message_full (GST_ELEMENT (self), type, GST_RESOURCE_ERROR, code,
      g_strdup_printf ("%s%s", error->domain == FB_IMAGE_IO_ERROR ?
          "Style exemplar: " : "", error->message), g_strdup_printf ("%s %d",
          g_quark_to_string (error->domain), error->code), __FILE__, GST_FUNCTION,
      __LINE__);
}

/* backend=cuda fails without the GPU; auto takes it when it works and says, once, on
 * the bus where frames are stylized and why. */
static FbBackend *
gst_face_blit_open_backend (GstFaceBlit * self, GstFaceBlitBackend backend,
    gint device_id, guint threads)
{
  FbBackend *fb_backend = NULL;
  GError *error = NULL;

  if (backend != GST_FACE_BLIT_BACKEND_CPU)
    fb_backend = gst_face_blit_cuda_backend_new (GST_ELEMENT (self), device_id,
        (int) threads, &self->cuda_context, &error);
  if (!fb_backend && backend == GST_FACE_BLIT_BACKEND_CUDA) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("backend=cuda, but the GPU cannot be used: %s Set backend to auto or cpu.",
            error->message), (NULL));
    g_error_free (error);
    return NULL;
  }
  if (!fb_backend)
    fb_backend = fb_backend_cpu_new ((int) threads);
  GST_INFO_OBJECT (self, "stylizing on %s%s%s", fb_backend->name,
      error ? ": " : "", error ? error->message : "");
  GST_ELEMENT_INFO (self, RESOURCE, SETTINGS, ("Stylizing on %s.", fb_backend->name),
      ("%s", error ? error->message : backend == GST_FACE_BLIT_BACKEND_CPU
          ? "backend=cpu" : "the GPU is available"));
  g_clear_error (&error);
  return fb_backend;
}

static void
gst_face_blit_free_model (GstFaceBlit * self)
{
  g_clear_pointer (&self->model, fb_shape_model_free);
  g_clear_pointer (&self->model_loaded_from, g_free);
}

static gboolean
gst_face_blit_start (GstBaseTransform * trans)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);
  StyleRequest request = { 0 };
  gchar *model_path, *message = NULL;
  GstFaceBlitBackend backend;
  FbBackend *fb_backend = NULL;
  gint device_id;
  guint threads;
  FbStyle *style;
  gchar *style_path = NULL;
  gdouble preparation_ms;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  style_request_copy (&self->style, &request);
  style_request_clear (&self->style_committed);
  self->style_edited = self->style_changed = FALSE;
  model_path = g_strdup (self->model_path);
  backend = self->backend;
  device_id = self->cuda_device_id;
  threads = self->threads;
  GST_OBJECT_UNLOCK (self);

  fb_backend = gst_face_blit_open_backend (self, backend, device_id, threads);
  if (!fb_backend)
    goto failed;

  if (self->model && g_strcmp0 (self->model_loaded_from, model_path) != 0)
    gst_face_blit_free_model (self);
  if (!self->model) {
    self->model = fb_shape_model_load (model_path, &message);
    if (!self->model) {
      if (g_file_test (model_path, G_FILE_TEST_EXISTS))
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", message), (NULL));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", message), (NULL));
      free (message);
      goto failed;
    }
    self->model_loaded_from = g_strdup (model_path);
  }

  style = gst_face_blit_load_style (self, &request, NULL, &style_path, &preparation_ms,
      &error);
  if (!style) {
    gst_face_blit_report_style (self, &request, style_path, NULL, preparation_ms, error);
    gst_face_blit_post_style_error (self, GST_MESSAGE_ERROR, error);
    goto failed;
  }

  /* auto goes on on the CPU when the GPU fails while playing; cuda stops */
  self->engine = fb_engine_new_with_backend (self->model, g_steal_pointer (&fb_backend),
      (int) threads, backend == GST_FACE_BLIT_BACKEND_AUTO, &error);
  if (!self->engine) {
    fb_style_unref (style);
    GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message), (NULL));
    goto failed;
  }
  fb_engine_set_style (self->engine, style);
  gst_face_blit_report_style (self, &request, style_path, style, preparation_ms, NULL);
  fb_style_unref (style);

  self->frame_count = 0;
  gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
  g_atomic_int_set (&self->reset_pending, FALSE);
  style_request_clear (&request);
  g_free (style_path);
  g_free (model_path);
  return TRUE;

failed:
  g_clear_error (&error);
  fb_backend_free (fb_backend);
  style_request_clear (&request);
  g_free (style_path);
  g_free (model_path);
  return FALSE;
}

static void gst_face_blit_finish_preparation (GstFaceBlit * self, gboolean apply);

static gboolean
gst_face_blit_stop (GstBaseTransform * trans)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);

  if (self->preparation) {
    g_cancellable_cancel (self->preparation->cancellable);
    gst_face_blit_finish_preparation (self, FALSE);
  }
  g_clear_pointer (&self->engine, fb_engine_free);
  gst_face_blit_cuda_context_clear (&self->cuda_context);
  GST_OBJECT_LOCK (self);
  g_clear_pointer (&self->active_style, g_free);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static GstStateChangeReturn
gst_face_blit_change_state (GstElement * element, GstStateChange transition)
{
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_face_blit_parent_class)->change_state
      (element, transition);

  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    gst_face_blit_free_model (GST_FACE_BLIT (element));
  return ret;
}

static void
gst_face_blit_set_context (GstElement * element, GstContext * context)
{
  GstFaceBlit *self = GST_FACE_BLIT (element);

  gst_face_blit_cuda_set_context (element, context, self->cuda_device_id,
      &self->cuda_context);
  GST_ELEMENT_CLASS (gst_face_blit_parent_class)->set_context (element, context);
}

static gboolean
gst_face_blit_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONTEXT
      && gst_face_blit_cuda_context_query (GST_ELEMENT (self), query, self->cuda_context))
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS (gst_face_blit_parent_class)->query (trans, direction,
      query);
}

/* Upstream gets a CUDA buffer pool on CUDA caps; system memory is the video
 * filter's business. */
static gboolean
gst_face_blit_propose_allocation (GstBaseTransform * trans, GstQuery * decide_query,
    GstQuery * query)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);
  GstCaps *caps;

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps && gst_face_blit_cuda_propose_allocation (self->cuda_context, query, caps))
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS (gst_face_blit_parent_class)->propose_allocation (trans,
      decide_query, query);
}

static FbYuvMatrix
gst_face_blit_yuv_matrix (const GstVideoColorimetry * colorimetry)
{
  gboolean full = colorimetry->range == GST_VIDEO_COLOR_RANGE_0_255;

  switch (colorimetry->matrix) {
    case GST_VIDEO_COLOR_MATRIX_BT709:
    case GST_VIDEO_COLOR_MATRIX_SMPTE240M:
    case GST_VIDEO_COLOR_MATRIX_BT2020:
      /* the nearest of the two matrices the core knows */
      return full ? FB_YUV_BT709_FULL : FB_YUV_BT709_LIMITED;
    default:
      return full ? FB_YUV_BT601_FULL : FB_YUV_BT601_LIMITED;
  }
}

static gboolean
gst_face_blit_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstFaceBlit *self = GST_FACE_BLIT (filter);

  switch (GST_VIDEO_INFO_FORMAT (in_info)) {
    case GST_VIDEO_FORMAT_RGBA:
      self->format = FB_FORMAT_RGBA;
      break;
    case GST_VIDEO_FORMAT_BGRA:
      self->format = FB_FORMAT_BGRA;
      break;
    case GST_VIDEO_FORMAT_ARGB:
      self->format = FB_FORMAT_ARGB;
      break;
    case GST_VIDEO_FORMAT_ABGR:
      self->format = FB_FORMAT_ABGR;
      break;
    case GST_VIDEO_FORMAT_RGBx:
      self->format = FB_FORMAT_RGBX;
      break;
    case GST_VIDEO_FORMAT_BGRx:
      self->format = FB_FORMAT_BGRX;
      break;
    case GST_VIDEO_FORMAT_xRGB:
      self->format = FB_FORMAT_XRGB;
      break;
    case GST_VIDEO_FORMAT_xBGR:
      self->format = FB_FORMAT_XBGR;
      break;
    case GST_VIDEO_FORMAT_RGB:
      self->format = FB_FORMAT_RGB;
      break;
    case GST_VIDEO_FORMAT_BGR:
      self->format = FB_FORMAT_BGR;
      break;
    case GST_VIDEO_FORMAT_I420:
      self->format = FB_FORMAT_I420;
      break;
    case GST_VIDEO_FORMAT_NV12:
      self->format = FB_FORMAT_NV12;
      break;
    case GST_VIDEO_FORMAT_NV21:
      self->format = FB_FORMAT_NV21;
      break;
    case GST_VIDEO_FORMAT_YUY2:
      self->format = FB_FORMAT_YUY2;
      break;
    case GST_VIDEO_FORMAT_UYVY:
      self->format = FB_FORMAT_UYVY;
      break;
    case GST_VIDEO_FORMAT_GRAY8:
      self->format = FB_FORMAT_GRAY8;
      break;
    case GST_VIDEO_FORMAT_I420_10LE:
      self->format = FB_FORMAT_I420_10LE;
      break;
    case GST_VIDEO_FORMAT_P010_10LE:
      self->format = FB_FORMAT_P010_10LE;
      break;
    default:
      GST_ERROR_OBJECT (self, "unsupported format %s",
          GST_VIDEO_INFO_NAME (in_info));
      return FALSE;
  }
  self->matrix = gst_face_blit_yuv_matrix (&in_info->colorimetry);
  GST_DEBUG_OBJECT (self, "%s %dx%d, YUV matrix %d", GST_VIDEO_INFO_NAME (in_info),
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info), self->matrix);

  /* a new size or format invalidates whatever the tracker knew */
  g_atomic_int_set (&self->reset_pending, TRUE);
  return TRUE;
}

static gboolean
gst_face_blit_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      GST_DEBUG_OBJECT (self, "flushed: forgetting faces and the previous output");
      g_atomic_int_set (&self->reset_pending, TRUE);
      break;
    case GST_EVENT_SEGMENT:{
      const GstSegment *segment;

      /* a seek; the same segment again (after a flush, say) is no jump */
      gst_event_parse_segment (event, &segment);
      if (!gst_segment_is_equal (segment, &self->segment)) {
        GST_DEBUG_OBJECT (self, "new segment: forgetting faces and the previous "
            "output");
        gst_segment_copy_into (segment, &self->segment);
        g_atomic_int_set (&self->reset_pending, TRUE);
      }
      break;
    }
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_face_blit_parent_class)->sink_event (trans,
      event);
}

static void
gst_face_blit_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstClockTime stream_time = gst_segment_to_stream_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));

  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (trans), stream_time);
}

/* Prepares the style the properties now ask for; on failure the current one stays. */
static gpointer
gst_face_blit_prepare_style (gpointer data)
{
  StylePreparation *preparation = data;

  preparation->style = gst_face_blit_load_style (preparation->self,
      &preparation->request, preparation->cancellable, &preparation->path,
      &preparation->preparation_ms, &preparation->error);
  g_atomic_int_set (&preparation->done, TRUE);
  return NULL;
}

/* Takes the request over. */
static void
gst_face_blit_start_preparation (GstFaceBlit * self, StyleRequest * request)
{
  StylePreparation *preparation = g_new0 (StylePreparation, 1);

  preparation->self = self;
  preparation->request = *request;
  memset (request, 0, sizeof (*request));
  preparation->cancellable = g_cancellable_new ();
  preparation->thread = g_thread_try_new ("faceblit-style", gst_face_blit_prepare_style,
      preparation, NULL);
  if (!preparation->thread)     /* no thread to be had: prepare it here, late */
    gst_face_blit_prepare_style (preparation);
  self->preparation = preparation;
}

/* Waits for the preparation (done already when called from a frame, soon once
 * cancelled), swaps the new style in or, when it failed, warns and keeps the previous
 * one; then forgets it. */
static void
gst_face_blit_finish_preparation (GstFaceBlit * self, gboolean apply)
{
  StylePreparation *preparation = self->preparation;

  if (preparation->thread)
    g_thread_join (preparation->thread);
  if (apply && preparation->style)
    fb_engine_set_style (self->engine, preparation->style);
  else if (apply)
    gst_face_blit_post_style_error (self, GST_MESSAGE_WARNING, preparation->error);
  if (apply)
    gst_face_blit_report_style (self, &preparation->request, preparation->path,
        preparation->style, preparation->preparation_ms, preparation->error);
  if (preparation->style)
    fb_style_unref (preparation->style);
  g_clear_error (&preparation->error);
  g_free (preparation->path);
  style_request_clear (&preparation->request);
  g_object_unref (preparation->cancellable);
  g_free (preparation);
  self->preparation = NULL;
}

/* Time for the landmark filter: running time, which grows in every playback direction,
 * else a frame count. */
static gint64
gst_face_blit_frame_time (GstFaceBlit * self, GstBuffer * buffer)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const GstVideoInfo *info = &GST_VIDEO_FILTER (self)->in_info;
  GstClockTime running_time = gst_segment_to_running_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  GstClockTime duration = GST_BUFFER_DURATION (buffer);

  if (GST_CLOCK_TIME_IS_VALID (running_time))
    return (gint64) running_time;
  if (!GST_CLOCK_TIME_IS_VALID (duration))
    duration = GST_VIDEO_INFO_FPS_N (info) > 0 ?
        gst_util_uint64_scale_int (GST_SECOND, GST_VIDEO_INFO_FPS_D (info),
        GST_VIDEO_INFO_FPS_N (info)) : GST_SECOND / 30;
  return (gint64) (self->frame_count * duration);
}

static void
gst_face_blit_add_face_meta (GstBuffer * buffer, const FbFaceResult * face)
{
  GstVideoRegionOfInterestMeta *meta;
  GValue xs = G_VALUE_INIT, ys = G_VALUE_INIT, v = G_VALUE_INIT;
  GstStructure *param;
  int i;

  meta = gst_buffer_add_video_region_of_interest_meta (buffer, "face",
      face->box.x, face->box.y, face->box.width, face->box.height);
  meta->id = (gint) face->id;

  g_value_init (&xs, GST_TYPE_ARRAY);
  g_value_init (&ys, GST_TYPE_ARRAY);
  g_value_init (&v, G_TYPE_FLOAT);
  for (i = 0; i < FB_N_LANDMARKS; i++) {
    g_value_set_float (&v, face->landmarks.points[i].x);
    gst_value_array_append_value (&xs, &v);
    g_value_set_float (&v, face->landmarks.points[i].y);
    gst_value_array_append_value (&ys, &v);
  }
  g_value_unset (&v);

  param = gst_structure_new ("faceblit", "id", G_TYPE_UINT, face->id, NULL);
  gst_structure_take_value (param, "landmarks-x", &xs);
  gst_structure_take_value (param, "landmarks-y", &ys);
  gst_video_region_of_interest_meta_add_param (meta, param);
}

/* frame: mapped on the host, or (memory FB_MEMORY_CUDA) on the CUDA backend's GPU */
static GstFlowReturn
gst_face_blit_process (GstFaceBlit * self, GstVideoFrame * frame, FbMemory memory)
{
  StyleRequest request = { 0 };
  gboolean restyle = FALSE;
  FbRenderParams params;
  FbFrame fb_frame = { self->format, self->matrix, GST_VIDEO_FRAME_WIDTH (frame),
    GST_VIDEO_FRAME_HEIGHT (frame), { NULL }, { 0 }, memory
  };
  FbStageTimes times;
  GError *backend_failure;
  gboolean post_messages;
  guint i;
  int n_faces;

  if (self->preparation && g_atomic_int_get (&self->preparation->done))
    gst_face_blit_finish_preparation (self, TRUE);

  GST_OBJECT_LOCK (self);
  params = self->params;
  post_messages = self->post_messages;
  /* one preparation at a time: a later change waits for it, and only the newest
   * waiting request is kept */
  if (self->style_changed && !self->preparation) {
    request = self->style_committed;    /* taken over */
    memset (&self->style_committed, 0, sizeof (self->style_committed));
    self->style_changed = FALSE;
    restyle = TRUE;
  }
  GST_OBJECT_UNLOCK (self);

  if (restyle)
    gst_face_blit_start_preparation (self, &request);
  if (g_atomic_int_exchange (&self->reset_pending, FALSE)
      || GST_BUFFER_IS_DISCONT (frame->buffer))
    fb_engine_reset (self->engine);

  for (i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame); i++) {
    fb_frame.planes[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    fb_frame.strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }
  n_faces = fb_engine_process (self->engine, &fb_frame,
      gst_face_blit_frame_time (self, frame->buffer), &params, self->faces,
      MIN (params.tracking.max_faces, FB_TRACKER_MAX_FACES));
  self->frame_count++;
  backend_failure = fb_engine_take_backend_failure (self->engine);
  if (n_faces < 0) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not stylize frame %"
            G_GUINT64_FORMAT ".", self->frame_count - 1),
        ("%s", backend_failure ? backend_failure->message : "unknown failure"));
    g_clear_error (&backend_failure);
    return GST_FLOW_ERROR;
  }
  if (backend_failure) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED, ("The GPU failed; faceblit goes on on "
            "the CPU (%s).", fb_engine_backend_name (self->engine)),
        ("%s", backend_failure->message));
    g_error_free (backend_failure);
  }

  for (i = 0; i < (guint) n_faces; i++)
    gst_face_blit_add_face_meta (frame->buffer, &self->faces[i]);
  if (n_faces > 0)
    gst_face_blit_add_faces_meta (frame->buffer, self->faces, n_faces);
  if (n_faces > 0 && post_messages)
    gst_element_post_message (GST_ELEMENT (self), gst_face_blit_faces_message
        (GST_ELEMENT (self), &GST_BASE_TRANSFORM (self)->segment, frame->buffer,
            self->faces, n_faces));

  fb_engine_get_stage_times (self->engine, &times);
  GST_LOG_OBJECT (self, "%d face(s) in %.2f ms: landmarks %.2f, guides %.2f, "
      "seeds %.2f, synthesis %.2f, voting %.2f, temporal %.2f, compositing %.2f",
      n_faces, times.total, times.landmarks, times.guides, times.seeds,
      times.synthesis, times.voting, times.temporal, times.compositing);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_face_blit_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  return gst_face_blit_process (GST_FACE_BLIT (filter), frame, FB_MEMORY_HOST);
}

/* Frames in CUDA memory stay on the GPU when the CUDA backend runs; anything else is
 * mapped on the host by the video filter (GStreamer copies CUDA memory for that). */
static GstFlowReturn
gst_face_blit_transform_ip (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstFaceBlit *self = GST_FACE_BLIT (trans);
  GstVideoFrame frame;
  GstFlowReturn ret;

  if (!fb_engine_takes_device_frames (self->engine)
      || !gst_face_blit_cuda_buffer_on_device (buffer, self->cuda_context))
    return GST_BASE_TRANSFORM_CLASS (gst_face_blit_parent_class)->transform_ip (trans,
        buffer);
  if (!gst_face_blit_cuda_map_frame (&frame, &GST_VIDEO_FILTER (self)->in_info, buffer)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a frame in CUDA memory."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  ret = gst_face_blit_process (self, &frame, FB_MEMORY_CUDA);
  gst_video_frame_unmap (&frame);
  return ret;
}

static void
gst_face_blit_finalize (GObject * object)
{
  GstFaceBlit *self = GST_FACE_BLIT (object);

  style_request_clear (&self->style);
  style_request_clear (&self->style_committed);
  g_free (self->model_path);
  g_free (self->active_style);
  gst_face_blit_free_model (self);
  G_OBJECT_CLASS (gst_face_blit_parent_class)->finalize (object);
}

#define PARAM_READY (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)
#define PARAM_PLAYING (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_PLAYING)
#define PARAM_ANIMATABLE (PARAM_PLAYING | GST_PARAM_CONTROLLABLE)

static void
gst_face_blit_class_init (GstFaceBlitClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  FbRenderParams defaults;
  gchar *style_names, *style_blurb;

  fb_render_params_init_defaults (&defaults);

  gobject_class->set_property = gst_face_blit_set_property;
  gobject_class->get_property = gst_face_blit_get_property;
  gobject_class->dispatch_properties_changed =
      gst_face_blit_dispatch_properties_changed;
  gobject_class->finalize = gst_face_blit_finalize;

  /**
   * GstFaceBlit:style:
   *
   * The style exemplar. Its landmarks come from #GstFaceBlit:style-landmarks, else
   * from NAME.lm.txt beside NAME.png, else from dlib. If a new exemplar cannot be
   * loaded while playing, a warning and "faceblit-style-failed" are posted and the
   * previous one stays: #GstFaceBlit:active-style says which one is in use.
   *
   * Since: 0.1
   */
  style_names = fb_bundled_style_names ();
  g_object_class_install_property (gobject_class, PROP_STYLE,
      g_param_spec_string ("style", "Style exemplar",
          g_intern_string (style_blurb = g_strdup_printf ("The style exemplar: the name "
                  "of a bundled style (%s; faceblit-style --list describes them) or the "
                  "path of a PNG or JPEG portrait whose look is given to every face. Its "
                  "68 landmarks are read from style-landmarks if set, else from a file "
                  "beside it named like it with the extension replaced by \".lm.txt\", "
                  "else found with dlib. NULL (default) = the bundled style \"%s\". May "
                  "change while playing: the new style is prepared in the background and "
                  "applies from the first frame after it is ready (the previous style is "
                  "used meanwhile)", style_names, FB_DEFAULT_STYLE_NAME)),
          NULL, PARAM_PLAYING));
  g_free (style_blurb);
  g_free (style_names);

  /**
   * GstFaceBlit:style-landmarks:
   *
   * Landmarks of the style exemplar, for exemplars in which dlib finds no face
   * (drawings, statues) or to place them more precisely.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STYLE_LANDMARKS,
      g_param_spec_string ("style-landmarks", "Style landmarks",
          "Path of the style exemplar's landmark file: 68 lines of \"x y\" in "
          "exemplar pixels, in dlib / iBUG-300W order ('#' starts a comment). "
          "NULL (default) = the .lm.txt file beside the exemplar, else dlib finds "
          "the face in the exemplar", NULL, PARAM_PLAYING));

  /**
   * GstFaceBlit:model:
   *
   * dlib's 68-point shape predictor, loaded when the element starts (and kept until
   * it goes back to NULL: a READY to PAUSED change loads it again only when the path
   * changed).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Landmark model",
          "Path of dlib's 68-point face landmark model "
          "(shape_predictor_68_face_landmarks.dat, Debian package libdlib-data). "
          "Read when the element starts", FB_DEFAULT_MODEL, PARAM_READY));

  /**
   * GstFaceBlit:backend:
   *
   * Where the per-pixel synthesis runs.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_BACKEND,
      g_param_spec_enum ("backend", "Backend",
          "Where stylization runs: auto = the GPU when the CUDA backend is available, "
          "else the CPU; cpu = CPU threads; cuda = the GPU, failing to start without "
          "it. Read when the element starts", GST_TYPE_FACE_BLIT_BACKEND,
          GST_FACE_BLIT_BACKEND_AUTO, PARAM_READY));

  /**
   * GstFaceBlit:cuda-device-id:
   *
   * The GPU of the CUDA backend.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CUDA_DEVICE_ID,
      g_param_spec_int ("cuda-device-id", "CUDA device id",
          "Which GPU the CUDA backend uses, as CUDA numbers them (nvidia-smi lists "
          "them); -1 (default) = the first. Read when the element starts", -1, 255, -1,
          PARAM_READY));

  /**
   * GstFaceBlit:threads:
   *
   * Size of the CPU thread pool.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_uint ("threads", "Threads",
          "Number of CPU threads that stylize, the streaming thread included; "
          "0 (default) = one per core. Read when the element starts", 0, 256,
          DEFAULT_THREADS, PARAM_READY));

  /**
   * GstFaceBlit:voting:
   *
   * Voting window: hides the seams between chunks of the exemplar.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_VOTING,
      g_param_spec_enum ("voting", "Voting window",
          "Width in pixels of the window in which neighbouring pixels vote for the "
          "output colour: 1 = off: sharpest, every face pixel is an exemplar pixel, "
          "seams show; 3 hides seams; 5 is the smoothest and slowest",
          GST_TYPE_FACE_BLIT_VOTING, defaults.voting, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:threshold:
   *
   * Acceptance threshold of the StyleBlit synthesis.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_float ("threshold", "Chunk threshold",
          "Largest guide error a pixel may have with the chunk of the exemplar "
          "around it before a smaller chunk is tried, in the units of lambda-pos "
          "and lambda-app (error per 1 % of face width of drift, per grey level of "
          "appearance). Higher = larger, more painterly chunks; lower = smaller "
          "chunks that follow the face more closely", 0.0f, 10000.0f,
          defaults.threshold, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:lambda-pos:
   *
   * Weight of the positional guide. Changing it rebuilds the style's seed tables
   * (cached on disk per value).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LAMBDA_POS,
      g_param_spec_float ("lambda-pos", "Positional weight",
          "Error per 1 % of the face width between where a piece of the exemplar "
          "belongs and where it lands. Higher keeps features (eyes, mouth) on their "
          "own strokes. Changing it rebuilds the style's seed tables in the "
          "background (under a second, then cached)", 0.0f, 1000.0f, FB_STYLE_DEFAULT_LAMBDA_POS,
          PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:lambda-app:
   *
   * Weight of the appearance guide. Changing it rebuilds the style's seed tables
   * (cached on disk per value).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LAMBDA_APP,
      g_param_spec_float ("lambda-app", "Appearance weight",
          "Error per grey level of difference in local luminance detail between "
          "the face and the exemplar. Higher puts wrinkles, eye and shading detail "
          "on matching strokes. Changing it rebuilds the style's seed tables in the "
          "background (under a second, then cached)", 0.0f, 1000.0f, FB_STYLE_DEFAULT_LAMBDA_APP,
          PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:lambda-temporal:
   *
   * Weight of the temporal guide, which compares candidates with what the previous
   * frame showed at the same point of the face: the exemplar's blurred pixel that was
   * chosen there.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LAMBDA_TEMPORAL,
      g_param_spec_float ("lambda-temporal", "Temporal weight",
          "Error per grey level of difference between a candidate and what the "
          "previous frame showed at the same point of the face (both blurred). "
          "Higher = steadier chunks, less flicker, "
          "slight trailing on fast motion; 0 = off (every frame on its own)",
          0.0f, 1000.0f, defaults.lambda_temporal, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:stylize-background:
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STYLIZE_BACKGROUND,
      g_param_spec_boolean ("stylize-background", "Stylize background",
          "Also restyle everything around the first face (following the face's "
          "deformation; the exemplar's own background is used there), so the whole "
          "frame looks painted. Where the frame reaches past the exemplar's edges, "
          "its plain backdrop continues there in one even tone. Best when the video "
          "is framed like the exemplar. "
          "Frames without any face pass through bit-exact either way: the exemplar "
          "is placed by the face",
          defaults.stylize_background, PARAM_PLAYING));

  /**
   * GstFaceBlit:strength:
   *
   * How much of the stylized picture shows over the original, to fade the effect in
   * and out (animate it with a #GstInterpolationControlSource).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STRENGTH,
      g_param_spec_double ("strength", "Strength",
          "Opacity of the stylized faces (and background, with stylize-background) "
          "over the original video: 1 (default) = fully stylized, 0.5 = half of each, "
          "0 = the original picture. Animate it to fade the effect in or out; the "
          "faces are still followed and stylized at 0, so a fade-in starts steady",
          0.0, 1.0, defaults.strength, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:lighting:
   *
   * Whose large-scale shading the stylized faces have: the exemplar's (0, the
   * default) or the video's own (1), so that a face lit from one side stays lit from
   * that side. Only light and shadow at the scale of about a tenth of the face are
   * carried, not its features.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LIGHTING,
      g_param_spec_double ("lighting", "Lighting",
          "Whose light and shadow the stylized faces show: 0 (default) = the "
          "exemplar's, as painted; 1 = the video's own, so that a face lit from one "
          "side stays lit from that side and a shadow across it stays; in between, a "
          "blend. Only the shading at the scale of a tenth of the face or more is "
          "carried (not the eyes, the mouth or the skin's texture), over the face "
          "only; the stylized face keeps the exemplar's overall brightness and its "
          "colours. A shadow darkens the strokes to a quarter at most; light "
          "brightens them up to four times, easing off below white so that their "
          "highlights do not burn out. Costs a little only when above 0",
          0.0, 1.0, defaults.lighting, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:max-faces:
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_int ("max-faces", "Maximum faces",
          "Most faces tracked and stylized at once; each costs about as much as the "
          "first. May change while playing: fewer drops the newest faces at the next "
          "frame, more lets the next detection add faces", 1, FB_TRACKER_MAX_FACES,
          defaults.tracking.max_faces, PARAM_PLAYING));

  /**
   * GstFaceBlit:min-face-size:
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_int ("min-face-size", "Minimum face size",
          "Width in frame pixels of the smallest face that detection looks for; 0 "
          "(default) = 48 on frames up to 1920x1080 and the same share of larger frames "
          "(96 at 3840x2160); below 16: 16. Faces from 100 px up are looked for every "
          "detect-interval frames; below 100, the smaller ones are looked for by a pass "
          "of their own on a copy of the frame enlarged 80/min-face-size times per side "
          "(to at most 16 megapixels), on a second background thread that takes at most "
          "a quarter of one core: at the default a small face is found within about 1 s "
          "at 720p, 2.5 s at 1080p, at about 25 % of one core while playing. 100 or "
          "more: no such pass",
          0, 8192,
          defaults.tracking.min_face_size, PARAM_READY));

  /**
   * GstFaceBlit:detect-interval:
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DETECT_INTERVAL,
      g_param_spec_int ("detect-interval", "Detection interval",
          "Start a full face detection (in the background) every this many frames; "
          "in between, known faces are followed by refitting their landmarks. While "
          "every tracked face keeps being confirmed and nothing new appears, "
          "detections space out up to 4 times this, but never more than 0.5 s apart; "
          "any change brings them back at once. Lower = new faces are picked up "
          "sooner, at more CPU", 1, 1000,
          defaults.tracking.detect_interval, PARAM_READY));

  /**
   * GstFaceBlit:smoothing:
   *
   * Strength of the One-Euro filter on the landmarks.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_float ("smoothing", "Landmark smoothing",
          "Smoothing of the landmarks over time, from 0 (raw: jitter shows as "
          "flicker) to 1 (strongest: steady, but lags on fast motion)", 0.0f, 1.0f,
          defaults.tracking.smoothing, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:mask-feather:
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MASK_FEATHER,
      g_param_spec_float ("mask-feather", "Mask feather",
          "Softness of the edge where the stylized face meets the frame: Gaussian "
          "sigma as a fraction of the face width (0 = hard edge, 0.1 = a tenth of "
          "the face width)", 0.0f, 1.0f, defaults.mask_feather, PARAM_ANIMATABLE));

  /**
   * GstFaceBlit:synthesis-resolution:
   *
   * The search for chunks (the nearest-neighbour field) is most of the per-face work;
   * at half resolution it costs a quarter. The copied pixels keep the exemplar's
   * full detail either way: only the chunks' outlines are placed on a 2-pixel grid.
   * The smallest faces, which use the exemplar's coarsest level, are always matched
   * at full resolution.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SYNTHESIS_RESOLUTION,
      g_param_spec_enum ("synthesis-resolution", "Synthesis resolution",
          "Resolution at which chunks of the exemplar are matched to the face: half "
          "is about twice as fast per frame and keeps the exemplar's full detail in "
          "the copied pixels; full places chunk edges to the pixel",
          GST_TYPE_FACE_BLIT_SYNTHESIS_RESOLUTION, defaults.synthesis_shift,
          PARAM_PLAYING));

  /**
   * GstFaceBlit:debug-view:
   *
   * Shows an intermediate result in place of the stylized face, to tune the other
   * properties or to report a problem.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DEBUG_VIEW,
      g_param_spec_enum ("debug-view", "Debug view",
          "Show an intermediate result instead of the normal output (see the values)",
          GST_TYPE_FACE_BLIT_DEBUG_VIEW, defaults.debug_view, PARAM_PLAYING));

  /**
   * GstFaceBlit:post-messages:
   *
   * Posts an element message named "faceblit" for every frame with faces, with the
   * frame's "timestamp", "stream-time", "running-time" and "duration" (guint64) and a
   * "faces" list (GstValueList) of "face" structures: "id", "x", "y", "width",
   * "height" (guint) and the 68 landmarks as "landmarks-x" and "landmarks-y"
   * (GstValueArray of floats), in frame pixels, as in facedetect's messages.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message \"faceblit\" for every frame with faces: its "
          "timestamp, stream-time, running-time and duration, and a list \"faces\" "
          "of structures with the tracking id, the box (x, y, width, height) and the "
          "68 landmarks (landmarks-x, landmarks-y: arrays of floats), in frame pixels",
          FALSE, PARAM_PLAYING));

  /**
   * GstFaceBlit:active-style:
   *
   * The exemplar in use: #GstFaceBlit:style reads back what was set even when it
   * could not be prepared, this says what the frames show. Whenever a style is
   * prepared the element posts "faceblit-style-ready" or "faceblit-style-failed".
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ACTIVE_STYLE,
      g_param_spec_string ("active-style", "Active style",
          "Path of the style exemplar in use (the bundled one's when style is "
          "unset); it changes once a new style is ready, and stays when one fails "
          "(see the messages faceblit-style-ready and faceblit-style-failed). NULL "
          "while the element is stopped", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class, "Face stylizer",
      "Filter/Effect/Video",
      "Restyles every face after one example portrait (FaceBlit / StyleBlit)",
      "faceblit developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_face_blit_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_face_blit_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_face_blit_sink_event);
  trans_class->before_transform = GST_DEBUG_FUNCPTR (gst_face_blit_before_transform);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_face_blit_query);
  trans_class->propose_allocation = GST_DEBUG_FUNCPTR (gst_face_blit_propose_allocation);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_face_blit_transform_ip);
  element_class->set_context = GST_DEBUG_FUNCPTR (gst_face_blit_set_context);
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_face_blit_change_state);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_face_blit_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_face_blit_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_FACE_BLIT_BACKEND, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_FACE_BLIT_DEBUG_VIEW, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_FACE_BLIT_SYNTHESIS_RESOLUTION, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_FACE_BLIT_VOTING, 0);

  gst_face_blit_faces_meta_register ();
}

static void
gst_face_blit_init (GstFaceBlit * self)
{
  fb_render_params_init_defaults (&self->params);
  self->style.params.lambda_pos = FB_STYLE_DEFAULT_LAMBDA_POS;
  self->style.params.lambda_app = FB_STYLE_DEFAULT_LAMBDA_APP;
  self->model_path = g_strdup (FB_DEFAULT_MODEL);
  self->backend = GST_FACE_BLIT_BACKEND_AUTO;
  self->cuda_device_id = -1;
  self->threads = DEFAULT_THREADS;
}
