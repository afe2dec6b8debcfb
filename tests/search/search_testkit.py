"""Shared helpers for the search tests (imported by path; not a test module): a tiny gather-based stand-in model and a synthetic dataset."""

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

