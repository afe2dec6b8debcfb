"""sparsity_schedule against the hand formulas."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.rewiring import SparsitySchedule, sparsity_schedule

I, F, B, E = 0.9, 0.2, 10, 30


def _hand(kind, step, power=3.0):
    progress = min(max((step - B) / (E - B), 0.0), 1.0)
    if kind == "cosine":
        remaining = (1 + math.cos(math.pi * progress)) / 2
    elif kind == "linear":
        remaining = 1 - progress
    else:
        remaining = (1 - progress) ** power
    return F + (I - F) * remaining


@pytest.mark.parametrize("kind", ["polynomial", "linear", "cosine"])
@pytest.mark.parametrize("step", [0, 5, 10, 15, 20, 25, 29, 30, 31, 1000])
def test_values_match_hand_formula(kind, step):
    schedule = sparsity_schedule(I, F, B, E, kind)
    assert float(schedule(step)) == pytest.approx(_hand(kind, step), abs=1e-6)


def test_explicit_values():
    poly = sparsity_schedule(I, F, B, E)
    assert float(poly(B)) == pytest.approx(0.9)
    assert float(poly(20)) == pytest.approx(0.2 + 0.7 * 0.125)  # Zhu & Gupta: (1 - 1/2)^3
    assert float(poly(E)) == pytest.approx(0.2)
    assert float(sparsity_schedule(I, F, B, E, "linear")(20)) == pytest.approx(0.55)
    assert float(sparsity_schedule(I, F, B, E, "cosine")(20)) == pytest.approx(0.55)
    assert float(sparsity_schedule(I, F, B, E, "cosine")(15)) == pytest.approx(0.2 + 0.7 * (1 + math.sqrt(0.5)) / 2)
    assert float(sparsity_schedule(I, F, B, E, power=2.0)(20)) == pytest.approx(0.2 + 0.7 * 0.25)


def test_polynomial_monotone_non_increasing():
    schedule = sparsity_schedule(1.0, 0.1, 0, 50)
    values = np.array([float(schedule(t)) for t in range(60)])
    assert np.all(np.diff(values) <= 1e-7)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        (dict(initial_density=1.5), ValueError, "initial_density"),
        (dict(initial_density=-0.1), ValueError, "initial_density"),
        (dict(final_density=1.1), ValueError, "final_density"),
        (dict(final_density="0.5"), TypeError, "final_density"),
        (dict(begin_step=-1), ValueError, "begin_step"),
        (dict(begin_step=1.5), TypeError, "begin_step"),
        (dict(end_step=10), ValueError, "end_step"),
        (dict(end_step=5), ValueError, "end_step"),
        (dict(kind="exponential"), ValueError, "kind"),
        (dict(power=0.0), ValueError, "power"),
        (dict(power=-1.0), ValueError, "power"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, name):
    args = dict(initial_density=1.0, final_density=0.5, begin_step=10, end_step=20)
    args.update(kwargs)
    with pytest.raises(error, match=name):
        sparsity_schedule(**args)


def test_under_jit_with_traced_densities_and_step():
    @jax.jit
    def density(initial, final, step):
        return sparsity_schedule(initial, final, B, E)(step)

    for step in (0, 20, 40):
        want = F + (I - F) * (1 - min(max((step - B) / (E - B), 0), 1)) ** 3
        assert float(density(I, F, step)) == pytest.approx(want, abs=1e-6)


def test_vmap_over_densities():
    initial = jnp.array([1.0, 0.8, 0.6])
    final = jnp.array([0.1, 0.4, 0.5])
    got = jax.vmap(lambda i, f: SparsitySchedule(i, f, 0, 10, "linear")(5))(initial, final)
    np.testing.assert_allclose(np.asarray(got), (np.asarray(initial) + np.asarray(final)) / 2, rtol=1e-6)
    got_end = jax.vmap(lambda i, f: SparsitySchedule(i, f, 0, 10)(10))(initial, final)
    np.testing.assert_allclose(np.asarray(got_end), np.asarray(final), rtol=1e-6)
