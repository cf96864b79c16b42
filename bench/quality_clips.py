# SPDX-License-Identifier: LGPL-2.1-or-later
"""The inputs of bench/quality as RGB frames (N x H x W x 3 uint8, memory-mapped files in
a work folder): decoded videos, the generated moving Grace Hopper clip, a still image
repeated with sensor noise, and a clip with a thin dark strand drawn across the face."""

import math

import cv2
import numpy as np

import quality_metrics

GRACE_HOPPER = '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg'
GRACE_HOPPER_SIZE = (448, 448)
# Sensor noise on the still stretches, in grey levels: what flicker is measured against.
# Seeded, so that every run makes the same clips.
NOISE_SIGMA = 3.0
NOISE_SEED = 9
# The camera's path over the portrait, as (share of the clip, pan x, pan y in pixels,
# zoom, rotation in degrees) keyframes: still stretches where two neighbours are equal,
# smooth (cosine) moves between the others.
GRACE_HOPPER_PATH = [
    (0.00, 0, 0, 1.05, 0.0),
    (0.15, 0, 0, 1.05, 0.0),
    (0.40, 18, 6, 1.18, 0.0),
    (0.55, 18, 6, 1.18, 0.0),
    (0.80, -12, -4, 1.08, 4.0),
    (1.00, -12, -4, 1.08, 4.0),
]


def frames_file(path, count, height, width):
    return np.lib.format.open_memmap(path, mode='w+', dtype=np.uint8,
                                     shape=(count, height, width, 3))


def from_i420(i420_path, path, width, height, count):
    """RGB frames of a raw I420 file (the format faceblit-bench decodes and
    faceblit-sample renders into)."""
    size = width * height * 3 // 2
    available = i420_path.stat().st_size // size
    count = min(count, available)
    frames = frames_file(path, count, height, width)
    with open(i420_path, 'rb') as f:
        for i in range(count):
            yuv = np.frombuffer(f.read(size), np.uint8).reshape(height * 3 // 2, width)
            frames[i] = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    return frames


def read_rgb(image_path):
    image = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f'cannot read {image_path}')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def sensor_noise(frame, rng):
    """The frame with Gaussian sensor noise of NOISE_SIGMA grey levels drawn from rng."""
    noisy = frame.astype(np.float32) + rng.normal(0, NOISE_SIGMA, frame.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def still_with_noise(image_path, path, count):
    """A still image as a clip of count frames, each with its own sensor noise (seeded as
    grace_hopper's still stretches are): a face that does not move and whose input
    changes by the noise only, as a camera on a tripod films a sitter who holds still.
    A real video never stands this still (target1.mp4's slowest pairs still move), and
    flicker divides by the input's change, so its still stretch has to be made."""
    image = read_rgb(image_path)
    rng = np.random.default_rng(NOISE_SEED)
    frames = frames_file(path, count, image.shape[0], image.shape[1])
    for i in range(count):
        frames[i] = sensor_noise(image, rng)
    return frames


def camera_pose(share):
    """(pan x, pan y, zoom, degrees) at this share of the clip along GRACE_HOPPER_PATH."""
    for (s0, *p0), (s1, *p1) in zip(GRACE_HOPPER_PATH, GRACE_HOPPER_PATH[1:]):
        if share <= s1:
            t = 0.0 if s1 == s0 else (share - s0) / (s1 - s0)
            ease = 0.5 - 0.5 * math.cos(math.pi * t)
            return [a + (b - a) * ease for a, b in zip(p0, p1)]
    return GRACE_HOPPER_PATH[-1][1:]


def is_still(i, count):
    """Whether frame i is on a still stretch of the path (same pose as frame i - 1)."""
    return i > 0 and camera_pose(i / max(count - 1, 1)) == camera_pose((i - 1) / max(count - 1, 1))


def grace_hopper(path, count):
    """The portrait filmed by a camera that pans, zooms and turns along GRACE_HOPPER_PATH,
    with sensor noise (seeded: every run makes the same clip) on the still stretches."""
    image = cv2.imread(GRACE_HOPPER, cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f'cannot read {GRACE_HOPPER} (Debian package python-matplotlib-data)')
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    width, height = GRACE_HOPPER_SIZE
    # The face's centre in the portrait: the camera turns and zooms about it.
    centre = (256.0, 250.0)
    rng = np.random.default_rng(NOISE_SEED)
    frames = frames_file(path, count, height, width)
    for i in range(count):
        pan_x, pan_y, zoom, degrees = camera_pose(i / max(count - 1, 1))
        matrix = cv2.getRotationMatrix2D(centre, degrees, zoom)
        matrix[0, 2] += width / 2 - centre[0] + pan_x
        matrix[1, 2] += height / 2 - centre[1] + pan_y
        frame = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REFLECT)
        frames[i] = sensor_noise(frame, rng) if is_still(i, count) else frame
    return frames


def with_strand(frames, landmarks, path, count):
    """The first count frames with the thin dark strand drawn across the cheek
    (quality_metrics.draw_strand) where the face is known, so that it moves with the
    face; frames without a face are copied."""
    count = min(count, len(frames))
    strand = frames_file(path, count, frames.shape[1], frames.shape[2])
    for t in range(count):
        strand[t] = (frames[t] if landmarks[t] is None
                     else quality_metrics.draw_strand(frames[t], landmarks[t]))
    return strand
