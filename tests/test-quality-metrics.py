#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/quality's metrics on synthetic input whose answer is known."""

import importlib.machinery
import importlib.util
import sys
import tempfile
import types
import unittest
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'bench'))
import quality_analysis as qa  # noqa: E402
import quality_clips  # noqa: E402
import quality_metrics as qm  # noqa: E402

# bench/quality itself, for its table cells (a script: loaded by path, its main not run).
_quality_loader = importlib.machinery.SourceFileLoader(
    'bench_quality', str(Path(__file__).resolve().parent.parent / 'bench' / 'quality'))
bench_quality = importlib.util.module_from_spec(
    importlib.util.spec_from_loader('bench_quality', _quality_loader))
_quality_loader.exec_module(bench_quality)

SHAPE = (240, 320)


def synthetic_landmarks(cx=160.0, cy=120.0, width=100.0):
    """68 points in dlib order: jaw on the lower half of an ellipse, brows above the
    eyes, eyes at a third of the height; the rest at the centre."""
    points = np.tile([cx, cy], (68, 1)).astype(np.float32)
    for i, a in enumerate(np.linspace(np.pi, 0, 17)):
        points[i] = [cx - width / 2 * np.cos(a), cy + width * 0.6 * np.sin(a) - 10]
    for i, x in enumerate(np.linspace(-0.4, 0.4, 10)):
        points[17 + i] = [cx + x * width, cy - 0.3 * width]
    for i in range(6):
        points[36 + i] = [cx - 0.2 * width + 4 * np.cos(i), cy - 0.15 * width]
        points[42 + i] = [cx + 0.2 * width + 4 * np.cos(i), cy - 0.15 * width]
    return points


def textured(shape=SHAPE, seed=1):
    """A smooth random texture (so that optical flow has something to follow)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (shape[0] // 8, shape[1] // 8, 3)).astype(np.uint8)
    return cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)


class Masks(unittest.TestCase):
    def test_face_mask_is_inside_the_hull(self):
        lm = synthetic_landmarks()
        hull = qm.hull_mask(lm, SHAPE)
        face = qm.face_mask(lm, SHAPE)
        self.assertTrue(face.any())
        self.assertFalse((face & ~hull).any())
        self.assertLess(face.sum(), hull.sum())

    def test_ring_is_outside_the_hull_and_below_the_eyes(self):
        lm = synthetic_landmarks()
        ring = qm.halo_ring_mask(lm, SHAPE)
        self.assertTrue(ring.any())
        self.assertFalse((ring & qm.hull_mask(lm, SHAPE)).any())
        ys = np.nonzero(ring)[0]
        self.assertGreater(ys.min(), lm[36:48, 1].mean())
        # within 10 % of the face width (plus a pixel of rounding) of the hull
        self.assertLess(ys.max(), lm[:17, 1].max() + 0.1 * qm.face_width(lm) + 2)


class Flicker(unittest.TestCase):
    def test_identical_frames_give_zero(self):
        frame = textured()
        mask = qm.face_mask(synthetic_landmarks(), SHAPE)
        out = [qm.mean_abs_difference(frame, frame, mask)]
        self.assertEqual(qm.flicker(out, [3.0]), 0.0)

    def test_output_twice_as_noisy_as_input(self):
        rng = np.random.default_rng(2)
        base = np.full(SHAPE + (3,), 128, np.uint8)
        mask = np.ones(SHAPE, bool)
        inputs = [base + rng.integers(0, 2, base.shape, dtype=np.uint8) * 4 for _ in range(2)]
        outputs = [base + (i - base) * 2 for i in inputs]
        ratio = qm.flicker([qm.mean_abs_difference(*outputs, mask)],
                           [qm.mean_abs_difference(*inputs, mask)])
        self.assertAlmostEqual(ratio, 2.0, places=6)


class Drift(unittest.TestCase):
    def test_shift_with_exact_flow_has_no_drift(self):
        previous = textured()
        current = np.roll(previous, 3, axis=1)  # moved 3 px right
        flow = np.zeros(SHAPE + (2,), np.float32)
        flow[..., 0] = -3.0  # current(x) = previous(x - 3)
        mask = np.zeros(SHAPE, bool)
        mask[40:200, 40:280] = True  # away from the wrapped-around border
        self.assertEqual(qm.drift(previous, current, flow, mask), 0.0)
        # a texture that stays put while the face moves does drift
        self.assertGreater(qm.drift(previous, previous, flow, mask), 5.0)

    def test_estimated_flow_follows_a_shift(self):
        previous = textured()
        current = np.roll(previous, (2, 3), axis=(0, 1))
        mask = np.zeros(SHAPE, bool)
        mask[40:200, 40:280] = True
        method, _ = qa.flow_method('dis')
        flow = qm.flow_to_previous(qm.grey(previous), qm.grey(current), method)
        self.assertAlmostEqual(float(np.median(flow[mask][:, 0])), -3.0, delta=0.2)
        self.assertAlmostEqual(float(np.median(flow[mask][:, 1])), -2.0, delta=0.2)
        self.assertLess(qm.drift(previous, current, flow, mask),
                        0.2 * qm.drift(previous, previous, flow, mask))


class Halo(unittest.TestCase):
    def test_no_change_no_shift(self):
        frame = textured()
        ring = qm.halo_ring_mask(synthetic_landmarks(), SHAPE)
        self.assertEqual(qm.colour_shift(frame, frame, ring), (0.0, 0.0))

    def test_grey_step_shifts_lightness_only(self):
        grey = np.full(SHAPE + (3,), 100, np.uint8)
        lighter = np.full(SHAPE + (3,), 120, np.uint8)
        ring = qm.halo_ring_mask(synthetic_landmarks(), SHAPE)
        dL, db = qm.colour_shift(lighter, grey, ring)
        expected = qm.lab(lighter)[0, 0, 0] - qm.lab(grey)[0, 0, 0]
        self.assertAlmostEqual(dL, float(expected), places=4)
        self.assertGreater(dL, 5.0)
        self.assertLess(db, 0.05)  # OpenCV's grey is not exactly neutral


class Fragmentation(unittest.TestCase):
    def test_two_halves_are_two_large_chunks(self):
        picture = np.zeros((100, 100, 3), np.uint8)
        picture[:, 50:] = (10, 20, 30)
        mask = np.ones((100, 100), bool)
        self.assertEqual(qm.fragmentation(picture, mask), (0.0, 2))

    def test_specks_are_tiny_chunks(self):
        picture = np.zeros((100, 100, 3), np.uint8)
        # 25 single-pixel specks of one colour: not 4-connected, each its own chunk
        for i in range(5):
            for j in range(5):
                picture[10 + 10 * i, 10 + 10 * j] = (200, 0, 0)
        mask = np.ones((100, 100), bool)
        share, large = qm.fragmentation(picture, mask)
        self.assertAlmostEqual(share, 25 / 10000)
        self.assertEqual(large, 1)

    def test_only_the_mask_counts(self):
        picture = np.zeros((100, 100, 3), np.uint8)
        picture[:, :10] = (1, 2, 3)  # outside the mask
        mask = np.zeros((100, 100), bool)
        mask[:, 10:] = True
        self.assertEqual(qm.fragmentation(picture, mask), (0.0, 1))


class Edges(unittest.TestCase):
    def test_same_image_correlates_fully(self):
        frame = textured()
        self.assertAlmostEqual(qm.edge_correlation(frame, frame), 1.0, places=5)

    def test_unrelated_texture_hardly_correlates(self):
        self.assertLess(abs(qm.edge_correlation(textured(seed=3), textured(seed=4))), 0.1)

    def test_flat_output_has_none(self):
        flat = np.full(SHAPE + (3,), 90, np.uint8)
        self.assertEqual(qm.edge_correlation(flat, textured()), 0.0)

    def test_only_the_mask_counts(self):
        """The same texture beyond the head, another inside it: beyond the head the
        output is the input (but for the edge filter's reach across the mask's border),
        over the whole frame it is much less so."""
        lm = synthetic_landmarks()
        beyond = qm.beyond_head_mask(lm, SHAPE)
        self.assertFalse((beyond & qm.hull_mask(lm, SHAPE)).any())
        self.assertTrue(beyond.any())
        inp = textured(seed=3)
        out = np.where(beyond[..., None], inp, textured(seed=4))
        inside = qm.edge_correlation(out, inp, beyond)
        self.assertGreater(inside, 0.9)
        self.assertLess(qm.edge_correlation(out, inp), inside - 0.2)


class Floors(unittest.TestCase):
    def test_texture_gradient_of_a_ramp(self):
        ramp = np.tile((2 * np.arange(SHAPE[1])).clip(0, 255).astype(np.uint8), (SHAPE[0], 1))
        frame = np.repeat(ramp[..., None], 3, axis=2)
        mask = np.zeros(SHAPE, bool)
        mask[10:-10, 10:100] = True  # inside the ramp, before it saturates at 255
        self.assertAlmostEqual(qm.texture_gradient(frame, mask), 2.0, places=4)

    def test_boost_scales_the_detail(self):
        frame = textured(seed=5)
        mask = np.zeros(SHAPE, bool)
        mask[20:-20, 20:-20] = True
        base = qm.texture_gradient(qm.detail_boosted(frame, 0.0), mask)
        detail = [qm.texture_gradient(qm.detail_boosted(frame, g), mask) - base
                  for g in (1.0, 2.0)]
        self.assertGreater(detail[0], 0.2)
        # about twice the detail's share of the gradient at twice the boost
        self.assertAlmostEqual(detail[1] / detail[0], 2.0, delta=0.3)

    def test_ghosts_are_lost_by_a_move_and_layout_is_not(self):
        """The input's own lines in the output are ghosts: moving the input loses their
        correlation. Another busy texture where the input is busy (and plain where it is
        plain) correlates by layout alone, moved or not."""
        busy = np.zeros(SHAPE, bool)
        busy[:, :SHAPE[1] // 2] = True
        plain = np.full(SHAPE + (3,), 128, np.uint8)
        fine = lambda seed: cv2.resize(np.random.default_rng(seed).integers(  # noqa: E731
            0, 256, (SHAPE[0] // 2, SHAPE[1] // 2, 3)).astype(np.uint8), SHAPE[::-1])
        inp = np.where(busy[..., None], fine(3), plain)
        layout = np.where(busy[..., None], fine(4), plain)
        ghost = qm.edge_correlation(inp, inp) - qm.layout_edge_correlation(inp, inp)
        self.assertGreater(ghost, 0.25)
        self.assertLess(abs(qm.edge_correlation(layout, inp)
                            - qm.layout_edge_correlation(layout, inp)), 0.05)
        self.assertGreater(qm.layout_edge_correlation(layout, inp), 0.3)

    def test_floor_reads_the_curve(self):
        floor = qa.DriftFloor.__new__(qa.DriftFloor)
        floor.points = [(2.0, 0.5), (4.0, 1.0), (8.0, 3.0), (12.0, 4.0)]
        self.assertAlmostEqual(floor.at(3.0), 0.75)
        self.assertAlmostEqual(floor.at(10.0), 3.5)
        self.assertAlmostEqual(floor.at(16.0), 5.0)  # along the last stretch
        self.assertAlmostEqual(floor.at(1.0), 0.5)
        self.assertIsNone(floor.at(None))
        floor.points = []
        self.assertIsNone(floor.at(5.0))


class Strand(unittest.TestCase):
    """The thin dark strand's contrast: 1 where the output shows it as the input does,
    0 where it is dropped, and the other cheek unchanged either way."""

    def setUp(self):
        self.landmarks = synthetic_landmarks()
        plain = np.full(SHAPE + (3,), 180, np.uint8)
        self.analysis = types.SimpleNamespace(frames=plain[None], landmarks=[self.landmarks])
        self.strand = quality_clips.with_strand(self.analysis.frames, [self.landmarks],
                                                Path(self.tmp.name) / 'strand.npy', 1)

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def measure(self, out):
        return qa.measure_strand_run(self.analysis, self.strand, [(0, out)],
                                     {0: self.analysis.frames[0]})

    def test_strand_is_drawn_on_the_cheek_inside_the_face(self):
        core, flanks, piece = qm.strand_zones(self.landmarks, SHAPE)
        drawn = (self.strand[0] != self.analysis.frames[0]).any(axis=2)
        self.assertTrue(core.any() and flanks.any())
        self.assertFalse((drawn & ~qm.face_mask(self.landmarks, SHAPE)).any())
        self.assertLess(np.nonzero(drawn)[1].max(), self.landmarks[30, 0])
        self.assertEqual(set(np.unique(piece[core])), set(range(qm.STRAND_PIECES)))

    def test_shown_as_drawn_is_one(self):
        result = self.measure(self.strand[0])
        self.assertAlmostEqual(result['strand_contrast'], 1.0, places=5)
        self.assertAlmostEqual(result['strand_unevenness'], 0.0, places=5)
        self.assertEqual(result['strand_other_cheek'], 0.0)

    def test_dropped_is_zero(self):
        result = self.measure(self.analysis.frames[0])
        self.assertEqual(result['strand_contrast'], 0.0)
        self.assertEqual(result['strand_unevenness'], 0.0)

    def test_dashed_is_uneven(self):
        out = self.strand[0].copy()
        _, _, piece = qm.strand_zones(self.landmarks, SHAPE)
        gaps = (piece >= 0) & (piece % 2 == 1)
        out[gaps] = self.analysis.frames[0][gaps]
        result = self.measure(out)
        self.assertAlmostEqual(result['strand_contrast'], 0.5, delta=0.1)
        self.assertAlmostEqual(result['strand_unevenness'], 0.5, delta=0.05)


class GraceHopperPath(unittest.TestCase):
    def test_still_and_moving_stretches(self):
        stills = [quality_clips.is_still(i, 120) for i in range(120)]
        self.assertFalse(stills[0])
        self.assertTrue(all(stills[1:18]))
        self.assertFalse(any(stills[20:47]))
        self.assertTrue(stills[-1])


class StillWithNoise(unittest.TestCase):
    def test_each_frame_is_the_image_with_its_own_seeded_noise(self):
        with tempfile.TemporaryDirectory() as folder:
            # Grey levels 64..191: the noise is never clipped, so all of it is there.
            image = 64 + textured((64, 48)) // 2
            path = Path(folder) / 'still.png'
            cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            frames = quality_clips.still_with_noise(path, Path(folder) / 'a.npy', 4)
            again = quality_clips.still_with_noise(path, Path(folder) / 'b.npy', 4)
            self.assertTrue(np.array_equal(frames, again), 'not seeded')
            noise = frames.astype(np.float64) - image
            self.assertAlmostEqual(noise.std(), quality_clips.NOISE_SIGMA, delta=0.1)
            self.assertAlmostEqual(noise.mean(), 0.0, delta=0.1)
            self.assertFalse(np.array_equal(frames[0], frames[1]))


class StillCells(unittest.TestCase):
    """Only a still face with sensor noise is issue 9's still face; a video's few slow
    pairs are labelled as such in the table and its note."""

    def row(self, clip, still_face, pairs):
        return {'clip': clip, 'still_face': still_face, 'still_pairs': pairs,
                'flicker_still': 0.5 if pairs else None, 'drift_still': 1.5 if pairs else None,
                'in_drift_still': 0.4, 'in_change_still': 0.5 if not still_face else 3.1}

    def test_slow_pairs_of_a_video(self):
        video = self.row('target1.mp4', False, 5)
        self.assertTrue(bench_quality.slow_only(video, 'still'))
        self.assertFalse(bench_quality.slow_only(video, 'moving'))
        self.assertEqual(bench_quality.flicker_still_cell(video), '0.50 (slow pairs)')
        self.assertEqual(bench_quality.drift_cell(video, 'still'), '1.50 (0.40; 5 slow pairs)')
        note = ' '.join(bench_quality.still_note([video]))
        self.assertIn('*slow pairs*: target1.mp4', note)
        self.assertIn('0.50 grey levels', note)

    def test_still_face_with_noise(self):
        still = self.row('Grace Hopper', True, 67)
        self.assertFalse(bench_quality.slow_only(still, 'still'))
        self.assertEqual(bench_quality.flicker_still_cell(still), '0.50')
        self.assertEqual(bench_quality.drift_cell(still, 'still'), '1.50 (0.40; 67 pairs)')
        note = ' '.join(bench_quality.still_note([still]))
        self.assertIn('still face with sensor noise', note)
        self.assertNotIn('slow pairs', note)

    def test_no_still_pairs(self):
        video = self.row('astronaut', False, 0)
        self.assertFalse(bench_quality.slow_only(video, 'still'))
        self.assertEqual(bench_quality.flicker_still_cell(video), '—')
        self.assertEqual(bench_quality.drift_cell(video, 'still'), '— (0 pairs)')
        self.assertEqual(bench_quality.still_note([video]), [])


if __name__ == '__main__':
    unittest.main()
