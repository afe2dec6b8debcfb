"""The fast counter-hash noise used by volume LR and rejuvenation is statistically sound."""

import math

import jax
import numpy as np

from biojax.learning import _noise


def test_uniform_moments_bins_and_neighbour_correlation():
    u = np.asarray(_noise.uniform(jax.random.key(3), (500, 400))).ravel()
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.002 and abs(u.std() - math.sqrt(1 / 12)) < 0.002
    counts = np.bincount((u * 100).astype(int), minlength=100)
    chi2 = ((counts - u.size / 100) ** 2 / (u.size / 100)).sum()
    assert chi2 < 160  # 99 degrees of freedom: p < 1e-4 above 160
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-400], u[400:])[0, 1]) < 0.01


def test_keys_give_independent_streams():
    a = np.asarray(_noise.uniform(jax.random.key(0), (100000,)))
    b = np.asarray(_noise.uniform(jax.random.key(1), (100000,)))
    c = np.asarray(_noise.uniform(jax.random.key(0), (100000,)))
    np.testing.assert_array_equal(a, c)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01


def test_normal_moments_and_tails():
    z = np.asarray(_noise.normal(jax.random.key(5), (200000,)))
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert abs(np.mean(np.abs(z) > 2) - math.erfc(2 / math.sqrt(2))) < 0.002
    assert abs(np.mean(z**3)) < 0.03 and abs(np.mean(z**4) - 3) < 0.06
