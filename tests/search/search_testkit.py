"""Shared helpers for the search tests (imported by path; not a test module): a tiny gather-based stand-in model, a synthetic dataset and a fresh-interpreter runner."""

import os
import pathlib
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


class GatherNet(nn.Module):
    """Like a dendritic layer: integer connectivity in a non-trainable collection, then a dense readout."""

    hidden: int
    k: int
    n_classes: int

    @nn.compact
    def __call__(self, x):
        idx = self.variable(
            "connectivity", "idx",
            lambda: jax.random.randint(self.make_rng("params"), (self.hidden, self.k), 0, x.shape[-1]),
        )
        w = self.param("w", nn.initializers.normal(0.5), (self.hidden, self.k))
        h = nn.leaky_relu(jnp.einsum("bhk,hk->bh", x[:, idx.value], w), 0.1)
        return nn.Dense(self.n_classes)(h)


def gather_factory(config, n_classes):
    return GatherNet(config["hidden"], config["k"], n_classes)


def make_dataset(seed=0, n_train=192, n_features=10, n_classes=3):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_classes, n_features)) * 2

    def split(n):
        y = rng.integers(n_classes, size=n).astype(np.int32)
        x = (centers[y] + rng.normal(size=(n, n_features))).astype(np.float32)
        return x, y

    (xt, yt), (xv, yv), (xs, ys) = split(n_train), split(64), split(64)
    return SimpleNamespace(name="blobs", x_train=xt, y_train=yt, x_val=xv, y_val=yv, x_test=xs, y_test=ys,
                           num_classes=n_classes, input_shape=(n_features,))


ROOT = pathlib.Path(__file__).parents[2]


def fresh_python(script, *argv, **env):
    """Runs ``script`` (dedented) in a new CPU-only interpreter with ``argv`` and extra ``env`` (which may
    replace the default ``PYTHONPATH``, the repository root); returns its stdout split on whitespace.
    ``XLA_FLAGS`` of this process is not passed on."""
    environment = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    environment.update({"JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT)}, **env)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *argv], env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()
