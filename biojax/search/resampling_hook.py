"""Synaptic resampling inside a vmapped trial, with every resampling setting traced.

``synaptic_resampling``, ``percentage_resample`` and ``steps_to_resample`` only change numbers, so
trials that differ in them share a bucket: the trial's resampled fraction is ``percentage_resample`` when
``synaptic_resampling`` is on and ``0`` (no synapse changes) when it is off, and the period is a traced
integer (:func:`biojax.learning.maybe_resample`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax


def resampling_hparams(configs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-trial arrays ``resample_fraction`` (0 when resampling is off) and ``steps_to_resample``.

    Example:
        >>> hp = resampling_hparams([{"synaptic_resampling": False, "percentage_resample": 0.3},
        ...                          {"synaptic_resampling": True, "percentage_resample": 0.3, "steps_to_resample": 64}])
        >>> hp["resample_fraction"].tolist(), hp["steps_to_resample"].tolist()
        ([0.0, 0.30000001192092896], [128, 64])
    """
    import numpy as np

    fraction = [float(c.get("percentage_resample", 0.0)) if c.get("synaptic_resampling") else 0.0 for c in configs]
    steps = [int(c.get("steps_to_resample", 128)) for c in configs]
    return {"resample_fraction": np.asarray(fraction, np.float32), "steps_to_resample": np.asarray(steps, np.int32)}


def resampling_post_step_builder(hparams: Mapping[str, jax.Array]):
    """A ``post_step`` for :func:`biojax.train.make_stateful_epoch_fn` that resamples dendritic synapses.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        >>> post = resampling_post_step_builder({"resample_fraction": jnp.float32(0.5),
        ...                                      "steps_to_resample": jnp.int32(1)})
        >>> state = {"connectivity": v["connectivity"]}
        >>> _, _, new = post(v["params"], optax.adam(0.1).init(v["params"]), state, jnp.int32(1), jax.random.key(1))
        >>> bool((new["connectivity"]["dendritic"]["indices"] != v["connectivity"]["dendritic"]["indices"]).any())
        True
    """
    try:
        from biojax.learning import maybe_resample
    except ImportError as error:  # pragma: no cover - only without biojax.learning's resampling
        raise RuntimeError("synaptic_resampling=True needs biojax.learning.maybe_resample") from error

    def post_step(params, opt_state, state, step, key):
        if "connectivity" not in state:
            return params, opt_state, state
        params, connectivity, opt_state = maybe_resample(
            params, state["connectivity"], opt_state, step=step, steps_to_resample=hparams["steps_to_resample"],
            key=key, fraction=hparams["resample_fraction"],
        )
        return params, opt_state, {**state, "connectivity": connectivity}

    return post_step


