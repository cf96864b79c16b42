# SPDX-License-Identifier: LGPL-2.1-or-later
"""The quality metrics of bench/quality, on numpy arrays (RGB uint8 frames, H x W x 3).

Every function here is pure: frames, masks and landmarks in, numbers out.
docs/quality.md defines each metric; tests/test-quality-metrics.py checks each one on
synthetic input whose answer is known."""

import cv2
import numpy as np
import skimage.measure

# dlib / iBUG-300W order: the jaw, the brows, the eyes.
JAW = slice(0, 17)
BROWS = slice(17, 27)
EYES = slice(36, 48)
# The face region's border is eroded by this share of the face width, so that the
# metrics see the face and not the feathered seam around it.
FACE_EROSION = 0.03
# The halo ring: this far outside the jaw and brows hull, in shares of the face width.
HALO_RING = (0.02, 0.10)
# Beyond the head: this far outside the jaw and brows hull, in shares of the face width
# (past the hair and ears of most heads), for the background edge correlation.
HEAD_MARGIN = 0.5
# A chunk smaller than this share of the face is a fragment.
FRAGMENT_SHARE = 0.002
# The drift floor's texture: the input's detail between these two blurs (Gaussian sigma,
# pixels), boosted (detail_boosted).
DETAIL_BLUR = 0.7
BASE_BLUR = 3.0
# Pixels the input is moved by each way for layout_edge_correlation: more than the edges'
# blur and a line's width, less than a region's size.
EDGE_SHIFT = 8


def face_width(landmarks):
    """Jaw to jaw (points 0 and 16), in pixels."""
    return float(np.hypot(*(landmarks[16] - landmarks[0])))


def hull_mask(landmarks, shape):
    """The filled convex hull of the jaw and brows: the face without the forehead."""
    points = np.concatenate([landmarks[JAW], landmarks[BROWS]])
    hull = cv2.convexHull(np.round(points).astype(np.int32))
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool)


def face_mask(landmarks, shape):
    """The face region of the metrics: the hull, eroded by FACE_EROSION of the face width."""
    hull = hull_mask(landmarks, shape).astype(np.uint8)
    radius = max(1, int(round(FACE_EROSION * face_width(landmarks))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.erode(hull, kernel).astype(bool)


def halo_ring_mask(landmarks, shape):
    """Pixels 2-10 % of the face width outside the hull, on the chin's side of the line
    through the eyes' centres (so the ring runs around the jaw, not the forehead)."""
    hull = hull_mask(landmarks, shape)
    outside = cv2.distanceTransform((~hull).astype(np.uint8), cv2.DIST_L2, 5)
    width = face_width(landmarks)
    ring = (outside >= HALO_RING[0] * width) & (outside <= HALO_RING[1] * width)
    eyes = landmarks[EYES]
    left, right = eyes[:6].mean(axis=0), eyes[6:].mean(axis=0)
    along = right - left
    normal = np.array([-along[1], along[0]])
    if np.dot(normal, landmarks[8] - left) < 0:  # point it at the chin
        normal = -normal
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]]
    below = (xs - left[0]) * normal[0] + (ys - left[1]) * normal[1] > 0
    return ring & below


def beyond_head_mask(landmarks, shape):
    """Pixels more than HEAD_MARGIN of the face width outside the hull: the background
    without the head, where the target's edges in a stylized background are ghosts."""
    hull = hull_mask(landmarks, shape)
    outside = cv2.distanceTransform((~hull).astype(np.uint8), cv2.DIST_L2, 5)
    return outside > HEAD_MARGIN * face_width(landmarks)


def grey(frame):
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def mean_abs_difference(a, b, mask):
    """Mean over the mask of |a - b|, averaged over the colour channels (grey levels)."""
    difference = np.abs(a.astype(np.int16) - b.astype(np.int16)).mean(axis=2)
    return float(difference[mask].mean())


def flow_to_previous(previous_grey, current_grey, method):
    """Dense optical flow F of the current frame: current(x) ~ previous(x + F(x))."""
    return method.calc(np.ascontiguousarray(current_grey),
                       np.ascontiguousarray(previous_grey), None)


def warp_previous(previous, flow):
    """The previous frame moved onto the current one along flow_to_previous's flow."""
    height, width = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(previous, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def drift(previous_out, current_out, flow, mask):
    """Mean |out_t - out_t-1 warped onto t along the input's flow| in the mask: how much
    the texture does not stick to the face (the input's own number is the floor)."""
    return mean_abs_difference(current_out, warp_previous(previous_out, flow), mask)


def lab(frame):
    return cv2.cvtColor(frame.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def colour_shift(out, inp, mask):
    """Mean |dL*| and mean |db*| (CIELAB) of the output against the input in the mask."""
    difference = np.abs(lab(out) - lab(inp))[mask]
    return float(difference[:, 0].mean()), float(difference[:, 2].mean())


def chunk_labels(picture):
    """One integer per colour of a debug-view=chunks picture."""
    p = picture.astype(np.int32)
    return (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]


def fragmentation(picture, mask):
    """(share of the mask covered by chunks smaller than FRAGMENT_SHARE of the mask,
    number of the other chunks) of a debug-view=chunks picture. A chunk is a
    4-connected region of one colour inside the mask."""
    labels = chunk_labels(picture)
    labels[~mask] = -1
    components = skimage.measure.label(labels, background=-1, connectivity=1)
    areas = np.bincount(components[mask])
    areas = areas[areas > 0]
    total = int(mask.sum())
    small = areas < FRAGMENT_SHARE * total
    return float(areas[small].sum()) / total, int((~small).sum())


def edges(frame):
    """Gradient magnitude of the lightly blurred grey image."""
    g = cv2.GaussianBlur(grey(frame).astype(np.float32), (0, 0), 1.0)
    return np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))


def edge_correlation(out, inp, mask=None):
    """Pearson correlation of the output's edges with the input's over the whole frame
    (or the mask): how much of the target shows through a stylized background."""
    a, b = edges(out), edges(inp)
    a, b = (a.ravel(), b.ravel()) if mask is None else (a[mask], b[mask])
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def texture_gradient(frame, mask):
    """Mean gradient magnitude of the grey image in the mask, grey levels per pixel: the
    contrast that the drift of a texture grows with (the flow's error costs each pixel its
    gradient times the error)."""
    g = grey(frame).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0) / 8.0
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1) / 8.0
    return float(np.hypot(gx, gy)[mask].mean())


def detail_boosted(frame, gain):
    """The frame with its detail (above DETAIL_BLUR, below BASE_BLUR) multiplied by gain:
    a texture of any contrast that sticks to the face by construction. Above a slight
    blur, so that the boost does not multiply the video's compression noise, which a
    stylized face does not carry."""
    f = frame.astype(np.float32)
    base = cv2.GaussianBlur(f, (0, 0), BASE_BLUR)
    detail = cv2.GaussianBlur(f, (0, 0), DETAIL_BLUR) - base
    return np.clip(base + gain * detail + 0.5, 0, 255).astype(np.uint8)


def shifted(frame, dx, dy):
    """The frame moved by (dx, dy) pixels, its edge pixels repeated into the gap."""
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(frame, matrix, frame.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)


def layout_edge_correlation(out, inp, mask=None):
    """The edge correlation of the output with the input moved EDGE_SHIFT pixels left,
    right, up and down (their mean). Edge magnitudes correlate wherever both pictures
    are busy at the same place (the exemplar's hair over the target's window blinds) as
    well as where the target's lines show through (ghosts); moving the input loses only
    the ghosts' part, so this is the layout's part and what edge_correlation has above
    it is the ghosts'."""
    moves = ((EDGE_SHIFT, 0), (-EDGE_SHIFT, 0), (0, EDGE_SHIFT), (0, -EDGE_SHIFT))
    return float(np.mean([edge_correlation(out, shifted(inp, dx, dy), mask)
                          for dx, dy in moves]))


def flicker(out_differences, in_differences):
    """Flicker ratio: the mean frame-to-frame change of the output over the input's, both
    lists of mean_abs_difference(frame t-1, frame t, face) over the same pairs."""
    total_in = float(np.sum(in_differences))
    return float(np.sum(out_differences)) / total_in if total_in > 0 else float('nan')


# The thin dark strand (a hair across the cheek) drawn into a copy of a clip: a quadratic
# Bezier curve with these (across, down) control points, in face widths from the eyes'
# middle along and across the line through the eyes, on the image's left cheek (side 1)
# or, mirrored, the right one (side -1): from below the eye to above the mouth's
# corner, clear of the nose, the mouth and the face's feathered edge (where the frame
# itself shows through).
STRAND = ((-0.32, 0.12), (-0.24, 0.24), (-0.30, 0.36))
STRAND_WIDTH = 2.0
STRAND_COLOUR = (40, 32, 28)
STRAND_OPACITY = 0.9
# How the strand's darkness is read: the core (this far from the curve, in face widths)
# against the flanks on both sides (between these distances), in this many pieces
# along the curve.
STRAND_CORE = 0.01
STRAND_FLANKS = (0.02, 0.04)
STRAND_PIECES = 8


def face_axes(landmarks):
    """The eyes' middle, and one face width along the line through the eyes (towards
    the image's right) and across it (towards the chin)."""
    left, right = landmarks[EYES][:6].mean(axis=0), landmarks[EYES][6:].mean(axis=0)
    origin = (left + right) / 2
    along = (right - left) / np.linalg.norm(right - left)
    down = np.array([-along[1], along[0]])
    if np.dot(down, landmarks[8] - origin) < 0:
        down = -down
    width = face_width(landmarks)
    return origin, along * width, down * width


def strand_curve(landmarks, side=1, points=200):
    """The strand's centre line in frame pixels, points x 2."""
    origin, along, down = face_axes(landmarks)
    p0, p1, p2 = (origin + side * a * along + d * down for a, d in STRAND)
    t = np.linspace(0.0, 1.0, points)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def draw_strand(frame, landmarks):
    """The frame with the strand drawn over it, anti-aliased (rendered at 8 times the
    resolution and averaged down)."""
    scale = 8
    height, width = frame.shape[:2]
    big = np.zeros((height * scale, width * scale), np.uint8)
    curve = np.round(strand_curve(landmarks) * scale + (scale - 1) / 2).astype(np.int32)
    cv2.polylines(big, [curve], False, 255, thickness=int(round(STRAND_WIDTH * scale)),
                  lineType=cv2.LINE_AA)
    alpha = cv2.resize(big, (width, height), interpolation=cv2.INTER_AREA)
    alpha = alpha.astype(np.float32)[..., None] * (STRAND_OPACITY / 255)
    mixed = frame * (1 - alpha) + np.array(STRAND_COLOUR, np.float32) * alpha
    return np.clip(np.round(mixed), 0, 255).astype(np.uint8)


def strand_zones(landmarks, shape, side=1):
    """(core, flanks, piece) around the strand on one side, inside the face region:
    two masks and, per pixel, which of STRAND_PIECES pieces along the curve is nearest
    (-1 away from it)."""
    curve = strand_curve(landmarks, side)
    width = face_width(landmarks)
    reach = STRAND_FLANKS[1] * width
    height, frame_width = shape[:2]
    x0, y0 = np.maximum(np.floor(curve.min(axis=0) - reach), 0).astype(int)
    x1 = min(frame_width, int(np.ceil(curve[:, 0].max() + reach)) + 1)
    y1 = min(height, int(np.ceil(curve[:, 1].max() + reach)) + 1)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    pixels = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)
    distances = np.linalg.norm(pixels[:, None, :] - curve[None], axis=2)
    nearest = distances.argmin(axis=1).reshape(ys.shape)
    distance = distances.min(axis=1).reshape(ys.shape)
    # ends of the curve: pixels past them are nearest to an end point, not beside it
    beside = (nearest > 0) & (nearest < len(curve) - 1)
    core, flanks = np.zeros(shape[:2], bool), np.zeros(shape[:2], bool)
    piece = np.full(shape[:2], -1, np.int32)
    core[y0:y1, x0:x1] = beside & (distance <= max(STRAND_CORE * width, STRAND_WIDTH / 2))
    flanks[y0:y1, x0:x1] = beside & (distance >= STRAND_FLANKS[0] * width) & (distance <= reach)
    piece[y0:y1, x0:x1] = np.where(beside, nearest * STRAND_PIECES // len(curve), -1)
    face = face_mask(landmarks, shape)
    return core & face, flanks & face, piece


def strand_darkness(frame, zones):
    """Per piece along the strand: the flanks' mean grey level minus the core's (how
    much darker a line there is than its surroundings; NaN where a piece has no core or
    no flanks in the face)."""
    core, flanks, piece = zones
    g = grey(frame).astype(np.float32)
    darkness = np.full(STRAND_PIECES, np.nan)
    for k in range(STRAND_PIECES):
        c, f = core & (piece == k), flanks & (piece == k)
        if c.any() and f.any():
            darkness[k] = g[f].mean() - g[c].mean()
    return darkness
