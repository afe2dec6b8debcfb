"""Searchable liquid networks: NCP-wired (or dense) CfC and LTC sequence classifiers.

``architecture`` ``"cfc"`` or ``"ltc"``. Static settings are the wiring (``AutoNCP`` ``units``,
``output_size`` motor neurons, ``sparsity_level``, ``wiring_seed``; or ``wiring="dense"`` for a CfC with
a backbone of ``backbone_units`` x ``backbone_layers``, ncps's 128 x 1 by default), the cell ``mode``,
``mixed_memory``, ``proj_size`` (a per-step linear read-out of the motor neurons, CfC only) and ``ode_unfolds`` (LTC only), so trials that share a wiring share one compiled bucket;
learning rate, schedule, weight decay, clipping and seed are the optimizer's traced settings. The model
reads a sequence ``(time, features)``; flat examples ``(length,)`` are read as ``(length, 1)``, so
MNIST-1D's 40 values are 40 time steps of one channel. The output at the last step are the logits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flax.linen as nn
import jax
import numpy as np

from biojax.nn import LTC, CfC, count_params
from biojax.nn.cfc_cell import CFC_MODES
from biojax.search.architecture import register_architecture
from biojax.search.search_space import SearchSpace, Setting, boolean, fraction, integer_at_least, one_of
from biojax.train import PostStep
from biojax.wiring import AutoNCP

WIRINGS = ("autoncp", "dense")
LIQUID_SPACE = SearchSpace(
    Setting("wiring", "autoncp", check=one_of(WIRINGS)),
    Setting("units", 24, check=integer_at_least(4)),
    Setting("output_size", 10, check=integer_at_least(1)),
    Setting("sparsity_level", 0.5, check=fraction),
    Setting("wiring_seed", 22222, check=integer_at_least(0)),
    Setting("mixed_memory", True, check=boolean),
)
CFC_SPACE = LIQUID_SPACE | SearchSpace(
    Setting("proj_size", None, check=integer_at_least(1)),
    Setting("mode", "default", check=one_of(CFC_MODES)),
    Setting("backbone_units", None, check=integer_at_least(1)),
    Setting("backbone_layers", None, check=integer_at_least(0)),
)
LTC_SPACE = LIQUID_SPACE | SearchSpace(Setting("ode_unfolds", 6, check=integer_at_least(1)))


class SequenceClassifier(nn.Module):
    """Logits from the last step of a sequence model (``rnn(x) -> (outputs, state)``); flat inputs become
    one-channel sequences.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> model = SequenceClassifier(CfC(AutoNCP(12, 3), return_sequences=False))
        >>> variables = model.init(jax.random.key(0), jnp.ones((2, 7)))
        >>> model.apply(variables, jnp.ones((2, 7))).shape
        (2, 3)
    """

    rnn: nn.Module

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return self.rnn(x[..., None] if x.ndim == 2 else x)[0]


class LiquidArchitecture:
    """``"cfc"`` or ``"ltc"`` classifiers (see the module docstring).

    The classes are the motor outputs (``output_size`` must equal the number of classes) or, for a CfC, a
    ``proj_size``-wide read-out of them (``proj_size`` must then equal the number of classes).

    Example:
        >>> arch = LiquidArchitecture("cfc")
        >>> config = arch.space.resolve({"units": 24, "output_size": 10, "proj_size": 10})
        >>> arch.count_params(config, 10, (40, 1))
        3942
    """

    input_layout = "sequence"

    def __init__(self, name: str):
        if name not in ("cfc", "ltc"):
            raise ValueError(f"name must be 'cfc' or 'ltc', got {name!r}")
        self.name = name
        self.space = CFC_SPACE if name == "cfc" else LTC_SPACE

    def build(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> nn.Module:
        """The classifier of a resolved configuration (the output width checked against the classes)."""
        proj = config.get("proj_size")
        what = "proj_size" if proj is not None else ("units" if config["wiring"] == "dense" else "output_size")
        if config[what] != n_classes:
            raise ValueError(f"{what} must equal the number of classes {n_classes}, got {config[what]}")
        common = dict(mixed_memory=config["mixed_memory"], return_sequences=False)
        if config["wiring"] == "dense":
            if self.name == "ltc":
                return SequenceClassifier(LTC(config["units"], ode_unfolds=config["ode_unfolds"], **common))
            return SequenceClassifier(CfC(config["units"], mode=config["mode"], proj_size=proj,
                                          backbone_units=config.get("backbone_units"),
                                          backbone_layers=config.get("backbone_layers"), **common))
        wiring = AutoNCP(config["units"], config["output_size"], sparsity_level=config["sparsity_level"],
                         seed=config["wiring_seed"])
        if self.name == "ltc":
            return SequenceClassifier(LTC(wiring, ode_unfolds=config["ode_unfolds"], **common))
        return SequenceClassifier(CfC(wiring, mode=config["mode"], proj_size=proj, **common))

    def count_params(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> int:
        """Exact trainable parameter count (:func:`biojax.nn.count_params`)."""
        return count_params(self.build(config, n_classes, input_shape), tuple(input_shape))

    def post_step(self, hparams: Mapping[str, Any], axis_name: str | None) -> PostStep | None:
        """No post-step."""
        return None

    def uses_post_step(self, hparams: Mapping[str, np.ndarray]) -> bool:
        """Never."""
        return False


for _name in ("cfc", "ltc"):
    register_architecture(LiquidArchitecture(_name))
