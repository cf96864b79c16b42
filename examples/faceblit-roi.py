#!/usr/bin/python3
# faceblit from Python (PyGObject): restyles a video to the screen, or to a file, and
# reads the faces the element reports: one GstVideoRegionOfInterestMeta of type "face"
# per face, whose "faceblit" parameter holds the tracking "id" and the 68 landmarks
# ("landmarks-x", "landmarks-y", frame pixels).
#
#   ./faceblit-roi.py VIDEO [--style STYLE.png] [--output OUT.mp4]
#
# Needs python3-gi, python3-gst-1.0 (for the landmark arrays), gir1.2-gstreamer-1.0 and
# gir1.2-gst-plugins-base-1.0; tools/install-deps installs them. To use the element from
# the build tree: GST_PLUGIN_PATH=build/gst examples/faceblit-roi.py VIDEO
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402


class FaceReader:
    """Finds the face metas of each buffer.

    PyGObject cannot iterate over a buffer's metas, but it can fetch a region-of-
    interest meta by its id, and faceblit uses the face's tracking id, which starts at 1
    and only grows: faces seen in the last frame keep theirs, new faces get higher ones.
    """

    def __init__(self):
        self.api = GstVideo.video_region_of_interest_meta_get_info().api
        self.alive = set()
        self.highest = 0

    def faces(self, buffer):
        wanted = buffer.get_n_meta(self.api)
        candidates = sorted(self.alive) + list(range(self.highest + 1, self.highest + 17))
        found = []
        for face_id in candidates:
            if len(found) == wanted:
                break
            meta = GstVideo.buffer_get_video_region_of_interest_meta_id(buffer, face_id)
            if meta and GLib.quark_to_string(meta.roi_type) == "face":
                found.append(meta)
        self.alive = {meta.id for meta in found}
        self.highest = max([self.highest] + list(self.alive))
        return found


def landmarks(meta):
    param = meta.get_param("faceblit")
    if param is None:
        return None
    # arrays of floats (Gst.ValueArray, thanks to python3-gst-1.0's overrides)
    xs = param.get_value("landmarks-x")
    ys = param.get_value("landmarks-y")
    return list(zip(xs, ys))


def main():
    parser = argparse.ArgumentParser(
        description="Restyles a video with faceblit and prints the faces it reports.")
    parser.add_argument("video", help="input video file")
    parser.add_argument("--style", help="style exemplar (default: the bundled one)")
    parser.add_argument("--output", help="write an MP4 instead of showing a window")
    args = parser.parse_args()

    Gst.init(None)
    sink = ("videoconvert ! x264enc ! mp4mux ! filesink name=out" if args.output
            else "videoconvert ! autovideosink")
    pipeline = Gst.parse_launch(
        f"filesrc name=src ! decodebin ! videoconvert ! faceblit name=blit ! {sink}")
    pipeline.get_by_name("src").set_property("location", args.video)
    if args.output:
        pipeline.get_by_name("out").set_property("location", args.output)
    blit = pipeline.get_by_name("blit")
    if args.style:
        blit.set_property("style", args.style)

    reader = FaceReader()
    frame = [0]

    # A probe on faceblit's output sees the metas before any converter drops them.
    def on_buffer(pad, info):
        for meta in reader.faces(info.get_buffer()):
            points = landmarks(meta)
            nose = points[30] if points else (float("nan"),) * 2
            print(f"frame {frame[0]:4d}  face {meta.id}  box {meta.x},{meta.y} "
                  f"{meta.w}x{meta.h}  nose tip ({nose[0]:.1f}, {nose[1]:.1f})")
        frame[0] += 1
        return Gst.PadProbeReturn.OK

    blit.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_buffer)

    loop = GLib.MainLoop()
    status = [0]

    def on_message(bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(f"Error: {error.message}\n{debug or ''}", file=sys.stderr)
            status[0] = 1
            loop.quit()
        elif message.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    pipeline.set_state(Gst.State.NULL)
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
