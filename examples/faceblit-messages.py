#!/usr/bin/python3
# faceblit's bus messages from Python (PyGObject), no meta needed: with
# post-messages=true the element posts one element message "faceblit" per frame with
# faces (timestamp, stream-time, running-time, duration and a "faces" list of "face"
# structures: id, x, y, width, height, landmarks-x, landmarks-y, in frame pixels),
# and, whenever a style has been prepared, "faceblit-style-ready" (style, path,
# preparation-ms, cached) or "faceblit-style-failed" (style, path, reason).
#
#   ./faceblit-messages.py VIDEO [--style STYLE.png] [--then OTHER.png]
#
# --then switches to another style two seconds after the first is ready, to show the
# style messages of a change while playing. Needs python3-gi and python3-gst-1.0 (for the lists and
# arrays); from the build tree: GST_PLUGIN_PATH=build/gst examples/faceblit-messages.py
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def seconds(clock_time):
    return "none" if clock_time == Gst.CLOCK_TIME_NONE else f"{clock_time / Gst.SECOND:.3f}"


def on_faceblit_message(s):
    name = s.get_name()
    if name == "faceblit":
        for face in s.get_value("faces"):
            xs, ys = face.get_value("landmarks-x"), face.get_value("landmarks-y")
            print(f"{seconds(s.get_value('running-time'))} s  face {face.get_value('id')}"
                  f"  box {face.get_value('x')},{face.get_value('y')} "
                  f"{face.get_value('width')}x{face.get_value('height')}  "
                  f"{len(xs)} landmarks, nose tip ({xs[30]:.1f}, {ys[30]:.1f})")
    elif name == "faceblit-style-ready":
        print(f"style ready: {s.get_value('path')} in "
              f"{s.get_value('preparation-ms'):.0f} ms"
              f"{' (from the cache)' if s.get_value('cached') else ''}")
    elif name == "faceblit-style-failed":
        print(f"style failed: {s.get_value('path')}: {s.get_value('reason')}")


def main():
    parser = argparse.ArgumentParser(
        description="Restyles a video with faceblit and prints its bus messages.")
    parser.add_argument("video", help="input video file")
    parser.add_argument("--style", help="style exemplar (default: the bundled one)")
    parser.add_argument("--then", help="style to switch to two seconds after the first")
    args = parser.parse_args()

    Gst.init(None)
    pipeline = Gst.parse_launch("filesrc name=src ! decodebin ! videoconvert "
                                "! faceblit name=blit post-messages=true ! fakesink")
    pipeline.get_by_name("src").set_property("location", args.video)
    blit = pipeline.get_by_name("blit")
    if args.style:
        blit.set_property("style", args.style)

    loop = GLib.MainLoop()
    status = [0]

    def on_message(bus, message):
        if message.type == Gst.MessageType.ELEMENT and message.src == blit:
            on_faceblit_message(message.get_structure())
            if args.then and message.get_structure().get_name() == "faceblit-style-ready":
                GLib.timeout_add_seconds(2, switch_style)
        elif message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(f"Error: {error.message}\n{debug or ''}", file=sys.stderr)
            status[0] = 1
            loop.quit()
        elif message.type == Gst.MessageType.EOS:
            loop.quit()

    def switch_style():
        blit.set_property("style", args.then)
        args.then = None
        print(f"style set to {blit.get_property('style')}, "
              f"still in use: {blit.get_property('active-style')}")
        return GLib.SOURCE_REMOVE

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    print(f"active style at the end: {blit.get_property('active-style')}")
    pipeline.set_state(Gst.State.NULL)
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
