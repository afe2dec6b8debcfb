"""biojax liquid networks against ncps 1.0.1 golden files (tests/golden/make_ncps_cells_golden.py)."""

import json
import pathlib

import jax
import numpy as np
import pytest

from biojax import wiring as bw
from biojax.interop.ncps import params_from_torch
from biojax.nn import CfC, LTC

GOLDEN = pathlib.Path(__file__).parents[1] / "golden"
META = json.loads((GOLDEN / "ncps_cells.json").read_text())
ARRAYS = np.load(GOLDEN / "ncps_cells.npz")
TOL = 1e-4


def rel_err(actual, expected):
    return float(np.linalg.norm(np.asarray(actual) - expected) / np.linalg.norm(expected))


def biojax_model(meta):
    units = meta["units"]
    target = getattr(bw, units[0])(**units[1]) if isinstance(units, list) else units
    kwargs = dict(meta["kwargs"])
    time_major = not kwargs.pop("batch_first", True)
    cls = LTC if meta["kind"] == "LTC" else CfC
    return cls(target, time_major=time_major, **kwargs)


def case_arrays(name):
    prefix = name + "/"
    return {k[len(prefix):]: ARRAYS[k] for k in ARRAYS.files if k.startswith(prefix)}


@pytest.mark.parametrize("name", sorted(META))
def test_matches_ncps(name):
    meta, arrays = META[name], case_arrays(name)
    model = biojax_model(meta)
    state_dict = {k[3:]: v for k, v in arrays.items() if k.startswith("sd/")}
    params = params_from_torch(state_dict)
    initial_state = None
    if "h0" in arrays:
        initial_state = (arrays["h0"], arrays["c0"]) if "c0" in arrays else arrays["h0"]
    x = arrays["x"]
    # The converted params must have exactly the structure and shapes biojax creates itself.
    created = jax.eval_shape(
        lambda: model.init(jax.random.key(0), x, initial_state=initial_state)["params"]
    )
    assert jax.tree_util.tree_structure(created) == jax.tree_util.tree_structure(params)
    assert jax.tree_util.tree_map(lambda a: a.shape, created) == jax.tree_util.tree_map(np.shape, params)
    y, state = jax.jit(model.apply)({"params": params}, x, arrays.get("timespans"), initial_state)
    assert y.shape == arrays["y"].shape
    assert rel_err(y, arrays["y"]) < TOL
    if "c" in arrays:
        assert rel_err(state[0], arrays["h"]) < TOL
        assert rel_err(state[1], arrays["c"]) < TOL
    else:
        assert rel_err(state, arrays["h"]) < TOL


@pytest.mark.parametrize("name", sorted(n for n in META if isinstance(META[n]["units"], list)))
def test_wiring_matches_ncps(name):
    meta, arrays = META[name], case_arrays(name)
    wiring = getattr(bw, meta["units"][0])(**meta["units"][1]).build(meta["input_dim"])
    np.testing.assert_array_equal(wiring.adjacency_matrix, arrays["adjacency"])
    np.testing.assert_array_equal(wiring.sensory_adjacency_matrix, arrays["sensory"])
