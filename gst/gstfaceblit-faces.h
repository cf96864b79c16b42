/* faceblit — the faces of a frame as GStreamer values, for applications: a list of
 * "face" structures, carried by a custom buffer meta that survives videoconvert and
 * videoscale, and by the per-frame element message.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "fb-engine.h"

G_BEGIN_DECLS

/* The custom meta's name, for gst_buffer_get_custom_meta (). Its structure holds one
 * field, "faces". */
#define GST_FACE_BLIT_FACES_META_NAME "FaceBlitFacesMeta"

/* Registers the custom meta (once, at plugin load). */
void gst_face_blit_faces_meta_register (void);

/* Fills `faces` (unset) with a GstValueList of "face" structures: "id" (guint, the
 * tracking id, also the GstVideoRegionOfInterestMeta's id), the box "x", "y", "width",
 * "height" (guint) and "landmarks-x", "landmarks-y" (GstValueArray of 68 floats),
 * all in frame pixels. */
void gst_face_blit_faces_to_value (const FbFaceResult * faces, guint n_faces,
    GValue * faces_value);

/* Attaches the faces to the buffer as the custom meta. */
void gst_face_blit_add_faces_meta (GstBuffer * buffer, const FbFaceResult * faces,
    guint n_faces);

G_END_DECLS
