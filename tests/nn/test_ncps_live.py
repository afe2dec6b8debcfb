"""Live parity with ncps on fresh random weights; skipped unless torch and ncps are installed."""

import jax
import numpy as np
import pytest

torch = pytest.importorskip("torch")
ncps_torch = pytest.importorskip("ncps.torch")
ncps_wirings = pytest.importorskip("ncps.wirings")

from biojax import wiring as bw  # noqa: E402
from biojax.interop.ncps import params_from_torch  # noqa: E402
from biojax.nn import LTC, CfC  # noqa: E402

CASES = [
    ("LTC", ("AutoNCP", {"units": 20, "output_size": 3}), {}),
    ("LTC", ("Random", {"units": 7, "output_dim": 2, "sparsity_level": 0.3}), {"mixed_memory": True}),
    ("CfC", 9, {"mode": "pure", "backbone_units": 12, "backbone_layers": 2}),
    ("CfC", ("AutoNCP", {"units": 20, "output_size": 3}), {"mode": "no_gate", "proj_size": 2}),
]


@pytest.mark.parametrize(("kind", "units", "kwargs"), CASES)
def test_live_parity(kind, units, kwargs):
    torch.manual_seed(0)
    x = np.random.default_rng(1).normal(size=(1, 6, 4)).astype(np.float32)
    ts = np.random.default_rng(2).uniform(0.5, 1.5, size=(1, 6)).astype(np.float32)
    t_units = getattr(ncps_wirings, units[0])(**units[1]) if isinstance(units, tuple) else units
    b_units = getattr(bw, units[0])(**units[1]) if isinstance(units, tuple) else units
    t_model = (ncps_torch.LTC if kind == "LTC" else ncps_torch.CfC)(4, t_units, **kwargs)
    with torch.no_grad():
        y_ref, state_ref = t_model(torch.from_numpy(x), timespans=torch.from_numpy(ts))
    model = (LTC if kind == "LTC" else CfC)(b_units, **kwargs)
    y, state = model.apply({"params": params_from_torch(t_model)}, x, ts)
    np.testing.assert_allclose(y, y_ref.numpy(), rtol=1e-4, atol=1e-5)
    states_ref = state_ref if isinstance(state_ref, tuple) else (state_ref,)
    states = state if isinstance(state, tuple) else (state,)
    for a, b in zip(states, states_ref):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-5)
    assert jax.tree_util.tree_structure(y) is not None
