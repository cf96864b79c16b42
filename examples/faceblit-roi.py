#!/usr/bin/python3
# faceblit from Python (PyGObject): restyles a video to the screen, or to a file, and
# reads the faces the element reports from the buffers that leave videoconvert and
# videoscale: the custom meta "FaceBlitFacesMeta", whose structure's "faces" list
# holds one "face" structure per face (tracking "id", box "x", "y", "width", "height",
# 68 landmarks "landmarks-x", "landmarks-y"), scaled with the frame. Each face's
# GstVideoRegionOfInterestMeta (type "face", same id) is there too, for applications
# that read those.
#
#   ./faceblit-roi.py VIDEO [--style STYLE.png] [--output OUT.mp4] [--width 320]
#
# Needs python3-gi, python3-gst-1.0 (for the lists and arrays), gir1.2-gstreamer-1.0
# and gir1.2-gst-plugins-base-1.0; tools/install-deps installs them. To use the
# element from the build tree: GST_PLUGIN_PATH=build/gst examples/faceblit-roi.py VIDEO
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402


def faces(buffer):
    """The faces of a buffer as structures (an empty list for a frame without)."""
    meta = buffer.get_custom_meta("FaceBlitFacesMeta")
    if meta is None:
        return []
    # a Gst.ValueList of Gst.Structure, thanks to python3-gst-1.0's overrides
    return list(meta.get_structure().get_value("faces"))


def main():
    parser = argparse.ArgumentParser(
        description="Restyles a video with faceblit and prints the faces it reports.")
    parser.add_argument("video", help="input video file")
    parser.add_argument("--style", help="style exemplar (default: the bundled one)")
    parser.add_argument("--output", help="write an MP4 instead of showing a window")
    parser.add_argument("--width", type=int, default=320,
                        help="width the video is scaled to after faceblit (default 320)")
    args = parser.parse_args()

    Gst.init(None)
    sink = ("x264enc ! mp4mux ! filesink name=out" if args.output
            else "videoconvert ! autovideosink")
    pipeline = Gst.parse_launch(
        "filesrc name=src ! decodebin ! videoconvert ! faceblit name=blit "
        f"! videoconvert ! videoscale ! video/x-raw,format=I420,width={args.width} "
        f"! identity name=scaled ! {sink}")
    pipeline.get_by_name("src").set_property("location", args.video)
    if args.output:
        pipeline.get_by_name("out").set_property("location", args.output)
    if args.style:
        pipeline.get_by_name("blit").set_property("style", args.style)

    frame = [0]

    # The frames as scaled: the landmarks are in the pixels of the scaled frame.
    def on_buffer(pad, info):
        buffer = info.get_buffer()
        for face in faces(buffer):
            xs, ys = face.get_value("landmarks-x"), face.get_value("landmarks-y")
            roi = GstVideo.buffer_get_video_region_of_interest_meta_id(
                buffer, face.get_value("id"))
            roi_box = f"  ROI {roi.x},{roi.y} {roi.w}x{roi.h}" if roi else ""
            print(f"frame {frame[0]:4d}  face {face.get_value('id')}  box "
                  f"{face.get_value('x')},{face.get_value('y')} "
                  f"{face.get_value('width')}x{face.get_value('height')}  "
                  f"nose tip ({xs[30]:.1f}, {ys[30]:.1f}){roi_box}")
        frame[0] += 1
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("scaled").get_static_pad("src").add_probe(
        Gst.PadProbeType.BUFFER, on_buffer)

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
