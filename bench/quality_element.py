# SPDX-License-Identifier: LGPL-2.1-or-later
"""faceblit on RGB frames from Python: appsrc ! faceblit ! appsink, one frame in, the
output frame and the landmarks of the faces the element reports out.

The environment (plugin path, registry, cache) must be set before this module is
imported, because GStreamer reads it when it initialises."""

import importlib.util
from pathlib import Path

import gi
import numpy as np

gi.require_version('Gst', '1.0')
gi.require_version('GstApp', '1.0')
gi.require_version('GstVideo', '1.0')
from gi.repository import Gst, GstApp  # noqa: E402,F401  (GstApp: appsink's pull_sample)

Gst.init(None)


def _load_faces():
    """The faces are read as examples/faceblit-roi.py reads them (its FaceBlitFacesMeta)."""
    path = Path(__file__).resolve().parent.parent / 'examples' / 'faceblit-roi.py'
    spec = importlib.util.spec_from_file_location('faceblit_roi', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.faces


meta_faces = _load_faces()


def face_landmarks(face):
    """A face structure's 68 landmarks, 68x2 frame pixels."""
    return np.array(list(zip(face.get_value('landmarks-x'), face.get_value('landmarks-y'))),
                    np.float32)


class ElementError(RuntimeError):
    pass


class Element:
    """One faceblit element with the given properties (GObject names: 'debug-view',
    'stylize-background', ...), fed frames of one size one at a time."""

    def __init__(self, width, height, properties, fps=30):
        self.pipeline = Gst.parse_launch(
            'appsrc name=src format=time block=true ! faceblit name=blit '
            '! appsink name=sink sync=false max-buffers=2')
        self.src = self.pipeline.get_by_name('src')
        self.sink = self.pipeline.get_by_name('sink')
        self.src.set_property('caps', Gst.Caps.from_string(
            f'video/x-raw,format=RGB,width={width},height={height},framerate={fps}/1'))
        blit = self.pipeline.get_by_name('blit')
        for name, value in properties.items():
            blit.set_property(name, value)
        self.size = (width, height)
        self.duration = Gst.SECOND // fps
        self.count = 0
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            self.close()
            raise ElementError(self.error() or 'the pipeline did not start')

    def error(self):
        message = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if message is None:
            return None
        error, debug = message.parse_error()
        return f'{error.message} ({debug})' if debug else error.message

    def process(self, frame):
        """(output frame, [68x2 landmarks of each face]) for one RGB frame."""
        height, width = frame.shape[:2]
        if (width, height) != self.size or width * 3 % 4:
            # RGB rows are padded to 4 bytes in GStreamer: widths here are multiples of 4.
            raise ValueError(f'frame of {width}x{height}: the element runs at '
                             f'{self.size[0]}x{self.size[1]}, a multiple of 4 wide')
        buffer = Gst.Buffer.new_wrapped(np.ascontiguousarray(frame).tobytes())
        buffer.pts = self.count * self.duration
        buffer.duration = self.duration
        self.count += 1
        if self.src.emit('push-buffer', buffer) != Gst.FlowReturn.OK:
            raise ElementError(self.error() or 'appsrc refused a frame')
        sample = self.sink.pull_sample()
        if sample is None:
            raise ElementError(self.error() or 'no output frame')
        out_buffer = sample.get_buffer()
        faces = [face_landmarks(face) for face in meta_faces(out_buffer)]
        ok, info = out_buffer.map(Gst.MapFlags.READ)
        try:
            out = np.frombuffer(info.data, np.uint8, width * height * 3).reshape(
                height, width, 3).copy()
        finally:
            out_buffer.unmap(info)
        return out, faces

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
