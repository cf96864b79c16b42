#!/usr/bin/python3
# What a Python application (PyGObject 1.22 with python3-gst-1.0) reads from faceblit:
# the "faceblit" bus messages, the style messages, active-style, and the faces meta
# after videoconvert ! videoscale, the way examples/ read them.
# Exits 77 (skipped) without the astronaut portrait or dlib's model.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

N_FRAMES = 3
SCALE = 0.5


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    astronaut = os.environ.get("FB_ASTRONAUT", "")
    model = os.environ.get("FB_DLIB_MODEL", "")
    if not os.path.exists(astronaut) or not os.path.exists(model):
        print("SKIP: needs the astronaut portrait (python3-skimage) and dlib's model "
              "(libdlib-data)")
        return 77

    # the source tree's exemplar, never an installed copy
    if os.environ.get("FB_SOURCE_DATA_DIR"):
        os.environ["FACEBLIT_DATA_DIR"] = os.environ["FB_SOURCE_DATA_DIR"]
    Gst.init(None)
    pipeline = Gst.parse_launch(
        f'filesrc location="{astronaut}" ! pngdec ! imagefreeze num-buffers={N_FRAMES} '
        "! videoconvert ! faceblit name=blit post-messages=true ! videoconvert "
        "! videoscale ! video/x-raw,format=I420,width=256,height=256 "
        "! fakesink name=sink signal-handoffs=true")
    blit = pipeline.get_by_name("blit")
    scaled = []

    def on_handoff(sink, buffer, pad):
        meta = buffer.get_custom_meta("FaceBlitFacesMeta")
        scaled.append(list(meta.get_structure().get_value("faces")) if meta else None)

    pipeline.get_by_name("sink").connect("handoff", on_handoff)
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    frames, ready = [], []
    while True:
        message = bus.timed_pop_filtered(
            60 * Gst.SECOND,
            Gst.MessageType.ELEMENT | Gst.MessageType.ERROR | Gst.MessageType.EOS)
        if message is None:
            fail("no end of stream within a minute")
        if message.type == Gst.MessageType.ERROR:
            fail(message.parse_error()[0].message)
        if message.type == Gst.MessageType.EOS:
            break
        s = message.get_structure()
        if s.get_name() == "faceblit":
            frames.append(s)
        elif s.get_name() == "faceblit-style-ready":
            ready.append(s)
    active = blit.get_property("active-style")
    pipeline.set_state(Gst.State.NULL)

    # the bundled default style (FB_DEFAULT_STYLE_NAME in common/style/fb-bundled-styles.h)
    if len(ready) != 1 or not ready[0].get_value("path").endswith("/styles/oil.png"):
        fail(f"style messages {[s.to_string() for s in ready]}")
    if active != ready[0].get_value("path"):
        fail(f"active-style {active}, ready {ready[0].get_value('path')}")
    if not isinstance(ready[0].get_value("cached"), bool) \
            or ready[0].get_value("preparation-ms") < 0:
        fail(f"style-ready fields {ready[0].to_string()}")
    if len(frames) != N_FRAMES or len(scaled) != N_FRAMES:
        fail(f"{len(frames)} faces messages, {len(scaled)} buffers for {N_FRAMES} frames")
    for k, (message, after) in enumerate(zip(frames, scaled)):
        if message.get_value("timestamp") != message.get_value("running-time") \
                or message.get_value("duration") <= 0:
            fail(f"frame {k} times {message.to_string()}")
        faces = list(message.get_value("faces"))
        if len(faces) != 1 or after is None or len(after) != 1:
            fail(f"frame {k}: {len(faces)} faces in the message, {after} after scaling")
        face, small = faces[0], after[0]
        xs, ys = list(face.get_value("landmarks-x")), list(face.get_value("landmarks-y"))
        sxs, sys_ = list(small.get_value("landmarks-x")), list(small.get_value("landmarks-y"))
        if len(xs) != 68 or len(sxs) != 68 or not all(isinstance(v, float) for v in xs):
            fail(f"frame {k}: landmarks {xs}")
        if small.get_value("id") != face.get_value("id"):
            fail(f"frame {k}: ids {face.get_value('id')} and {small.get_value('id')}")
        for i in range(68):
            want = ((xs[i] + 0.5) * SCALE - 0.5, (ys[i] + 0.5) * SCALE - 0.5)
            if abs(sxs[i] - want[0]) > 1e-3 or abs(sys_[i] - want[1]) > 1e-3:
                fail(f"frame {k}, landmark {i}: ({sxs[i]}, {sys_[i]}), not {want}")
        if abs(small.get_value("width") - face.get_value("width") * SCALE) > 1:
            fail(f"frame {k}: widths {face.get_value('width')}, {small.get_value('width')}")
    print(f"ok: {N_FRAMES} frames, 1 face each, landmarks scaled by {SCALE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
