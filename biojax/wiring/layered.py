"""``LayeredWiring``: velora-style NCP masks, one mask per layer, drawn from an explicit seed.

velora (0.2.0) describes an NCP by three feed-forward masks (sensory -> inter -> command -> motor) plus a
command -> command mask. The neuron and synapse counts here follow velora's rules exactly. velora draws the
masks from NumPy's and torch's *global* random state; we draw them from ``numpy.random.default_rng(seed)``
instead, so the masks are reproducible but not equal to velora's draws (the structure rules are the same:
``count`` targets per source drawn with replacement, then one random source for every target left
without input).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from biojax._validation import check_int, check_number
from biojax.wiring._value import ValueSemantics


@dataclasses.dataclass(frozen=True)
class NeuronCounts:
    """Neurons per NCP layer (velora's ``NeuronCounts``).

    Example:
        >>> NeuronCounts(sensory=4, inter=6, command=4, motor=2).command
        4
    """

    sensory: int
    inter: int
    command: int
    motor: int


@dataclasses.dataclass(frozen=True)
class SynapseCounts:
    """Synapses drawn per source neuron in each layer (velora's ``SynapseCounts``).

    ``sensory`` is each input's fan-out to inter neurons, ``inter`` each inter neuron's fan-out to command
    neurons, ``command`` each command neuron's fan-out to motor neurons and also the number of recurrent
    command synapses drawn; ``motor`` is computed as velora does but, as in velora, unused.

    Example:
        >>> SynapseCounts(sensory=3, inter=2, command=4, motor=2).sensory
        3
    """

    sensory: int
    inter: int
    command: int
    motor: int


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class LayerMasks:
    """Polarity masks ``[src, dest]`` (values -1/0/+1) of the four NCP connections; a JAX pytree.

    Shapes: ``inter`` (sensory, inter), ``command`` (inter, command), ``motor`` (command, motor),
    ``recurrent`` (command, command). For Flax's ``(in, out)`` kernels use ``abs(mask)`` directly.

    Example:
        >>> import jax, numpy as np
        >>> masks = LayeredWiring(4, 10, 2, seed=0).masks
        >>> jax.tree.map(np.shape, masks)
        LayerMasks(inter=(4, 6), command=(6, 4), motor=(4, 2), recurrent=(4, 4))
    """

    inter: np.ndarray
    command: np.ndarray
    motor: np.ndarray
    recurrent: np.ndarray


def _layer_mask(
    rng: np.random.Generator, n_sources: int, n_targets: int, fanout: int
) -> np.ndarray:
    mask = np.zeros((n_sources, n_targets), dtype=np.int32)
    targets = rng.integers(0, n_targets, size=(n_sources, fanout))
    mask[np.arange(n_sources)[:, None], targets] = rng.choice((-1, 1), size=(n_sources, fanout))
    unreached = np.flatnonzero(~mask.any(axis=0))
    sources = rng.integers(0, n_sources, size=unreached.size)
    mask[sources, unreached] = rng.choice((-1, 1), size=unreached.size)
    return mask


def _recurrent_mask(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    mask = np.zeros((n, n), dtype=np.int32)
    src = rng.integers(0, n, size=count)
    dest = rng.integers(0, n, size=count)
    mask[src, dest] = rng.choice((-1, 1), size=count)
    return mask


class LayeredWiring(ValueSemantics):
    """velora's NCP wiring: counts, per-layer masks and synapse counts.

    Note that ``n_neurons`` counts inter and command neurons only (velora semantics); the
    ``out_features`` motor neurons come on top. In ncps's ``AutoNCP``, ``units`` includes the motor neurons.

    Args:
        in_features: number of inputs (sensory neurons), at least 1.
        n_neurons: number of inter plus command neurons, at least 2.
        out_features: number of motor neurons, at least 1.
        sparsity_level: in ``[0.1, 0.9]`` as in velora.
        seed: seed of the NumPy generator that draws the masks.

    Example:
        >>> w = LayeredWiring(4, 10, 2, sparsity_level=0.5, seed=0)
        >>> w.n_connections
        SynapseCounts(sensory=3, inter=2, command=4, motor=2)
        >>> masks, counts = w.data()
        >>> counts
        NeuronCounts(sensory=4, inter=6, command=4, motor=2)
    """

    def __init__(
        self,
        in_features: int,
        n_neurons: int,
        out_features: int,
        sparsity_level: float = 0.5,
        seed: int = 0,
    ):
        self._in_features = check_int("in_features", in_features, minimum=1)
        self._n_neurons = check_int("n_neurons", n_neurons, minimum=2)
        self._out_features = check_int("out_features", out_features, minimum=1)
        self._sparsity_level = check_number("sparsity_level", sparsity_level, minimum=0.1, maximum=0.9)
        self._seed = check_int("seed", seed, minimum=0)
        density = 1.0 - self._sparsity_level
        n_command = max(int(0.4 * n_neurons), 1)
        self._counts = NeuronCounts(
            sensory=self._in_features,
            inter=self._n_neurons - n_command,
            command=n_command,
            motor=self._out_features,
        )

        def synapses(n: int, scale: int = 1) -> int:
            return max(int(n * density * scale), 1)

        self._n_connections = SynapseCounts(
            sensory=synapses(self._counts.inter),
            inter=synapses(n_command),
            command=synapses(n_command, 2),
            motor=synapses(n_command),
        )
        rng = np.random.default_rng(self._seed)
        c, s = self._counts, self._n_connections
        masks = LayerMasks(
            inter=_layer_mask(rng, c.sensory, c.inter, s.sensory),
            command=_layer_mask(rng, c.inter, c.command, s.inter),
            motor=_layer_mask(rng, c.command, c.motor, s.command),
            recurrent=_recurrent_mask(rng, c.command, s.command),
        )
        for mask in jax.tree.leaves(masks):
            mask.setflags(write=False)
        self._masks = masks

    @property
    def counts(self) -> NeuronCounts:
        """Neurons per layer."""
        return self._counts

    @property
    def n_connections(self) -> SynapseCounts:
        """Synapses drawn per source neuron in each layer."""
        return self._n_connections

    @property
    def masks(self) -> LayerMasks:
        """The four polarity masks."""
        return self._masks

    def data(self) -> tuple[LayerMasks, NeuronCounts]:
        """``(masks, counts)`` as velora's ``Wiring.data()``."""
        return self._masks, self._counts

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        return {
            "in_features": self._in_features,
            "n_neurons": self._n_neurons,
            "out_features": self._out_features,
            "sparsity_level": self._sparsity_level,
            "seed": self._seed,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; :meth:`from_dict` restores an equal wiring.

        Example:
            >>> w = LayeredWiring(3, 8, 1, seed=2)
            >>> LayeredWiring.from_dict(w.to_dict()) == w
            True
        """
        masks = {k: v.tolist() for k, v in dataclasses.asdict(self._masks).items()}
        return {"class": "LayeredWiring", "config": self.get_config(), "masks": masks}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayeredWiring:
        """Restores a wiring written by :meth:`to_dict`, masks included."""
        if not isinstance(data, Mapping) or data.get("class") != "LayeredWiring":
            raise ValueError("data must be a LayeredWiring.to_dict() result")
        wiring = cls(**data["config"])
        masks = {k: np.asarray(v, dtype=np.int32) for k, v in data["masks"].items()}
        for mask in masks.values():
            mask.setflags(write=False)
        wiring._masks = LayerMasks(**masks)
        return wiring

    def _key(self) -> tuple[Any, ...]:
        return (
            tuple(sorted(self.get_config().items())),
            tuple(m.tobytes() for m in jax.tree.leaves(self._masks)),
        )
