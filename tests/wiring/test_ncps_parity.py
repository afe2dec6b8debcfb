"""biojax wirings equal ncps 1.0.1's matrices bit for bit (golden files from tests/golden/make_wiring_golden.py)."""

import json
import pathlib

import numpy as np
import pytest

from biojax import wiring as bw

GOLDEN = pathlib.Path(__file__).parents[1] / "golden"
CASES = json.loads((GOLDEN / "ncps_wirings.json").read_text())
MATRICES = np.load(GOLDEN / "ncps_wirings.npz")


def test_every_ncps_class_is_covered():
    assert {case["class"] for case in CASES} == {"FullyConnected", "Random", "NCP", "AutoNCP"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['key']}-{c['class']}")
def test_matrices_equal_ncps(case):
    wiring = getattr(bw, case["class"])(**case["kwargs"]).build(case["input_dim"])
    np.testing.assert_array_equal(wiring.adjacency_matrix, MATRICES[f"{case['key']}/adjacency"])
    np.testing.assert_array_equal(wiring.sensory_adjacency_matrix, MATRICES[f"{case['key']}/sensory"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['key']}-{c['class']}")
def test_input_dim_keyword_equals_build(case):
    built = getattr(bw, case["class"])(**case["kwargs"]).build(case["input_dim"])
    direct = getattr(bw, case["class"])(**case["kwargs"], input_dim=case["input_dim"])
    assert direct == built


VELORA = json.loads((GOLDEN / "velora_wiring_counts.json").read_text())


@pytest.mark.parametrize("row", VELORA, ids=lambda r: str(r["args"]))
def test_layered_wiring_counts_equal_velora(row):
    in_features, n_neurons, out_features, sparsity = row["args"]
    wiring = bw.LayeredWiring(in_features, n_neurons, out_features, sparsity_level=sparsity)
    masks, counts = wiring.data()
    assert vars(counts) == row["counts"]
    assert vars(wiring.n_connections) == row["n_connections"]
    for name, shape in row["shapes"].items():
        assert list(getattr(masks, name).shape) == shape
