"""Parity with sentinel-ai's own code (golden file from tests/golden/make_pruning_golden.py)."""

import pathlib

import numpy as np
import pytest

from biojax.pruning import head_entropy, pruning_mask

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "golden" / "pruning_sentinel.npz")


def test_entropy_equals_the_anchors_effective_metric():
    anchor = GOLDEN["anchor_entropy"]  # [layers, heads, seq]: the anchor's shape bug
    assert anchor.shape == (3, 4, 6)
    # The anchor averages only over the batch; averaging its result over query positions gives the
    # intended [layers, heads] metric, which head_entropy returns directly.
    np.testing.assert_allclose(head_entropy(GOLDEN["attention"]), anchor.mean(-1), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("s", range(3))
def test_masks_equal_generate_pruning_mask(s):
    strategy = str(GOLDEN["strategies"][s])
    for f, fraction in enumerate(GOLDEN["fractions"]):
        mask = pruning_mask(float(fraction), strategy, entropy=GOLDEN["ent"], importance=GOLDEN["grad"])
        np.testing.assert_array_equal(mask, GOLDEN["masks"][s, f], err_msg=f"{strategy} at {fraction}")
        assert GOLDEN["masks"][s, f].sum() == int(24 * float(fraction))
