# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/quality's measurements over whole clips: the input's face regions, optical
flow and own numbers (analyse_input), then each output sequence against them
(measure_face_run, measure_chunks_run, measure_background_run)."""

import cv2
import numpy as np

import quality_metrics as qm

# Head speed (mean optical flow in the face, pixels per frame) below which a pair of
# frames counts as still, and from which it counts as moving; pairs in between count
# only in the all-pairs numbers.
STILL_SPEED = 0.3
MOVING_SPEED = 1.0
# The halo is measured on every HALO_EVERY-th frame, chunks and edges on every
# MODE_EVERY-th (they change slowly; this keeps the benchmark within its time).
HALO_EVERY = 4
MODE_EVERY = 6
# The thin dark strand's darkness is read on every STRAND_EVERY-th frame.
STRAND_EVERY = 2


def flow_method(name):
    """The optical flow of the drift metric, and its name for the report."""
    if name == 'tvl1':
        return cv2.optflow.DualTVL1OpticalFlow_create(), 'TV-L1 (OpenCV contrib)'
    if name == 'farneback':
        return cv2.FarnebackOpticalFlow_create(), 'Farneback (OpenCV)'
    return (cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM),
            'DIS, medium preset (OpenCV)')


class InputAnalysis:
    """A clip's face regions (from the element's face metas in a first pass), the pairs
    of frames step apart whose both frames have a face, their input flow (inside a crop
    around every face of the clip), head speed, and the input's own numbers."""

    def __init__(self, frames, landmarks, method, flow_path, step=1):
        self.frames = frames
        self.landmarks = landmarks
        self.step = step
        height, width = frames.shape[1:3]
        self.crop = face_crop(landmarks, (height, width))
        self.masks, self.rings = {}, {}
        self.pairs = []
        y0, y1, x0, x1 = self.crop or (0, 0, 0, 0)
        indices = [t for t in range(step, len(frames), step)
                   if landmarks[t] is not None and landmarks[t - step] is not None]
        self.flows = (np.lib.format.open_memmap(
            flow_path, mode='w+', dtype=np.float16, shape=(len(indices), y1 - y0, x1 - x0, 2))
            if indices else None)
        for k, t in enumerate(indices):
            previous, current = self.cropped(frames[t - step]), self.cropped(frames[t])
            flow = qm.flow_to_previous(qm.grey(previous), qm.grey(current), method)
            self.flows[k] = flow
            mask = self.mask(t)
            speed = float(np.hypot(flow[..., 0], flow[..., 1])[mask].mean())
            self.pairs.append({
                'previous': t - step, 'current': t, 'flow': k, 'speed': speed,
                'still': speed < STILL_SPEED, 'moving': speed >= MOVING_SPEED,
                'in_difference': qm.mean_abs_difference(previous, current, mask),
                'in_drift': qm.drift(previous, current, flow, mask)})

    def cropped(self, frame):
        y0, y1, x0, x1 = self.crop
        return frame[y0:y1, x0:x1]

    def mask(self, t):
        """The face region of frame t inside the crop (kept: every run needs them)."""
        if t not in self.masks:
            self.masks[t] = self.cropped(qm.face_mask(self.landmarks[t], self.frames.shape[1:3]))
        return self.masks[t]

    def ring(self, t):
        """The halo ring of frame t inside the crop."""
        if t not in self.rings:
            self.rings[t] = self.cropped(qm.halo_ring_mask(self.landmarks[t],
                                                           self.frames.shape[1:3]))
        return self.rings[t]

    def face_frames(self):
        return sum(lm is not None for lm in self.landmarks)

    def face_width(self):
        widths = [qm.face_width(lm) for lm in self.landmarks if lm is not None]
        return float(np.median(widths)) if widths else 0.0


def face_crop(landmarks, shape):
    """(y0, y1, x0, x1) around every face of the clip with the halo ring's margin."""
    boxes = []
    for lm in landmarks:
        if lm is None:
            continue
        margin = (qm.HALO_RING[1] + 0.02) * qm.face_width(lm)
        lo, hi = lm.min(axis=0) - margin, lm.max(axis=0) + margin
        boxes.append((lo, hi))
    if not boxes:
        return None
    lo = np.min([b[0] for b in boxes], axis=0)
    hi = np.max([b[1] for b in boxes], axis=0)
    height, width = shape
    return (max(0, int(lo[1])), min(height, int(np.ceil(hi[1])) + 1),
            max(0, int(lo[0])), min(width, int(np.ceil(hi[0])) + 1))


def mean_or_none(values):
    return float(np.mean(values)) if values else None


def measure_face_run(analysis, outputs):
    """Flicker, drift, halo and texture contrast (qm.texture_gradient) of an output
    sequence: outputs yields (input frame index, RGB output frame) in order, for the
    indices of the analysis' pairs."""
    pairs = {p['current']: p for p in analysis.pairs}
    out_differences, drifts, halos, gradients = {}, {}, [], []
    previous = {}
    for t, out in outputs:
        out = analysis.cropped(out)
        pair = pairs.get(t)
        if pair is not None and pair['previous'] in previous:
            before = previous.pop(pair['previous'])
            mask = analysis.mask(t)
            out_differences[t] = qm.mean_abs_difference(before, out, mask)
            drifts[t] = qm.drift(before, out, analysis.flows[pair['flow']].astype(np.float32),
                                 mask)
        previous = {t: out}
        if analysis.landmarks[t] is not None and t % HALO_EVERY == 0:
            gradients.append(qm.texture_gradient(out, analysis.mask(t)))
            ring = analysis.ring(t)
            if ring.any():
                halos.append(qm.colour_shift(out, analysis.cropped(analysis.frames[t]), ring))
    return {**summarise(analysis, out_differences, drifts, halos),
            'gradient': mean_or_none(gradients)}


class DriftFloor:
    """The drift metric's floor at any texture contrast on one clip: the drift, while
    the head moves, of the clip's input with its detail boosted (qm.detail_boosted) to
    that contrast. Drift grows with the contrast of what it measures, so a stylized face
    (3-4 times the input's gradient) drifts several times more than the input even
    where its texture sticks to the face as the face's own detail does. The floor is
    read off the curve of drift against gradient through a few boosts (GAINS: from the
    detail removed, for outputs smoother than their input, to what the exemplars
    measured so far need), linearly between them and along the last stretch beyond."""

    GAINS = (0.0, 1.0, 4.0, 10.0)

    def __init__(self, analysis):
        self.points = []
        for gain in self.GAINS:
            boosted = ((t, qm.detail_boosted(analysis.frames[t], gain))
                       for t in range(0, len(analysis.frames), analysis.step))
            run = measure_face_run(analysis, boosted)
            if run['drift_moving'] is None:
                self.points = []
                return
            self.points.append((run['gradient'], run['drift_moving']))

    def at(self, gradient):
        """The floor at mean gradient `gradient` (None without moving pairs)."""
        if not self.points or gradient is None:
            return None
        gradients, drifts = zip(*self.points)
        if gradient <= gradients[-1]:
            return float(np.interp(gradient, gradients, drifts))
        (g0, d0), (g1, d1) = self.points[-2:]
        return d0 + (d1 - d0) * (gradient - g0) / (g1 - g0)



def summarise(analysis, out_differences, drifts, halos):
    measured = [p for p in analysis.pairs if p['current'] in out_differences]
    still = [p for p in measured if p['still']]
    moving = [p for p in measured if p['moving']]

    def ratio(pairs):
        if not pairs:
            return None
        return qm.flicker([out_differences[p['current']] for p in pairs],
                          [p['in_difference'] for p in pairs])

    return {
        'pairs': len(measured), 'still_pairs': len(still), 'moving_pairs': len(moving),
        'flicker_still': ratio(still), 'flicker_all': ratio(measured),
        # The input's own change on the still pairs: what the still flicker divides by
        # (sensor noise of sigma 3 makes it about 3.4 grey levels; a real video's
        # slowest pairs, with no noise added, much less).
        'in_change_still': mean_or_none([p['in_difference'] for p in still]),
        'drift_still': mean_or_none([drifts[p['current']] for p in still]),
        'drift_moving': mean_or_none([drifts[p['current']] for p in moving]),
        'in_drift_still': mean_or_none([p['in_drift'] for p in still]),
        'in_drift_moving': mean_or_none([p['in_drift'] for p in moving]),
        'halo_L': mean_or_none([h[0] for h in halos]),
        'halo_b': mean_or_none([h[1] for h in halos]),
    }


def sampled(t, analysis):
    return t > 0 and t % MODE_EVERY == 0 and analysis.landmarks[t] is not None


def measure_chunks_run(analysis, outputs):
    """Fragmentation of debug-view=chunks output frames."""
    shares, counts = [], []
    for t, picture in outputs:
        if sampled(t, analysis):
            share, large = qm.fragmentation(analysis.cropped(picture), analysis.mask(t))
            shares.append(share)
            counts.append(large)
    return {'tiny_share': mean_or_none(shares), 'large_chunks': mean_or_none(counts)}


def measure_background_run(analysis, outputs):
    """Edge correlation of stylize-background=true output frames with their inputs."""
    whole, beyond, layout = [], [], []
    for t, out in outputs:
        if sampled(t, analysis):
            whole.append(qm.edge_correlation(out, analysis.frames[t]))
            if analysis.landmarks[t] is not None:
                mask = qm.beyond_head_mask(analysis.landmarks[t], out.shape)
                beyond.append(qm.edge_correlation(out, analysis.frames[t], mask))
                layout.append(qm.layout_edge_correlation(out, analysis.frames[t], mask))
    return {'edge_correlation': mean_or_none(whole),
            'edge_correlation_beyond': mean_or_none(beyond),
            'edge_layout_beyond': mean_or_none(layout)}


def strand_sampled(t, analysis):
    return t % STRAND_EVERY == 0 and analysis.landmarks[t] is not None


def measure_strand_run(analysis, strand_frames, outputs, plain_outputs):
    """How the thin dark strand of strand_frames (qm.draw_strand on the clip's frames)
    comes out: outputs yields (index, output) of the clip with the strand,
    plain_outputs[index] is the output without it. The strand's contrast is how much
    darker than its flanks the strand makes the output, over how much darker it makes
    the input (1 = drawn at full contrast, 0 = dropped); its unevenness, the spread of
    that ratio between the pieces along the strand (0 = even, drawn or dropped
    alike; high = dashed); the other cheek's, the size of the same change where no
    strand was drawn (the floor: the strand moves the landmarks a little, and the
    chunks with them)."""
    drawn = shown = elsewhere = 0.0
    spreads = []
    for t, out in outputs:
        if not strand_sampled(t, analysis) or t not in plain_outputs:
            continue
        landmarks, plain = analysis.landmarks[t], plain_outputs[t]
        zones = qm.strand_zones(landmarks, out.shape)
        mirrored = qm.strand_zones(landmarks, out.shape, side=-1)
        into_input = (qm.strand_darkness(strand_frames[t], zones)
                      - qm.strand_darkness(analysis.frames[t], zones))
        into_output = qm.strand_darkness(out, zones) - qm.strand_darkness(plain, zones)
        other_cheek = qm.strand_darkness(out, mirrored) - qm.strand_darkness(plain, mirrored)
        pieces = ~np.isnan(into_input) & ~np.isnan(into_output) & (into_input > 0)
        if not pieces.any():
            continue
        drawn += into_input[pieces].sum()
        shown += into_output[pieces].sum()
        elsewhere += np.abs(other_cheek[~np.isnan(other_cheek)]).sum() * (
            pieces.sum() / max(1, (~np.isnan(other_cheek)).sum()))
        spreads.append(float(np.std(into_output[pieces] / into_input[pieces])))
    if drawn <= 0:
        return {}
    return {'strand_contrast': shown / drawn, 'strand_unevenness': mean_or_none(spreads),
            'strand_other_cheek': elsewhere / drawn}
