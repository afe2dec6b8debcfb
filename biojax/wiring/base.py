"""The ``Wiring`` base class: who connects to whom, as immutable NumPy masks.

Semantics follow ncps 1.0.1 (``ncps.wirings.Wiring``): ``adjacency_matrix[src, dest]`` holds the polarity of
the synapse from neuron ``src`` to neuron ``dest`` (+1 excitatory, -1 inhibitory, 0 none), and
``sensory_adjacency_matrix[i, dest]`` that of the synapse from input feature ``i``. Motor (output) neurons
are ids ``0 .. output_dim - 1``.

Unlike ncps, ``build(input_dim)`` returns a *new* wiring instead of mutating this one. A built wiring is
sealed: its arrays are read-only, it compares by value and it is hashable, so it can be a static attribute
of a Flax module or a static argument of ``jax.jit``, and two equal wirings share one compilation.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from biojax._validation import check_int
from biojax.wiring._value import ValueSemantics

_REGISTRY: dict[str, type[Wiring]] = {}


def _check_polarity(polarity: Any) -> int:
    if isinstance(polarity, bool) or polarity not in (-1, 1):
        raise ValueError(f"polarity must be -1 or +1, got {polarity!r}")
    return int(polarity)


def _as_polarity_matrix(name: str, matrix: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    array = np.asarray(matrix)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {array.shape}")
    if shape is not None and array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isin(array, (-1, 0, 1))):
        bad = np.unique(array[~np.isin(array, (-1, 0, 1))])
        raise ValueError(f"{name} may only hold -1, 0 and +1, got values {bad.tolist()}")
    return array.astype(np.int32)


class Wiring(ValueSemantics):
    """Base class of all wirings: a set of neurons and the polarity of every synapse.

    Subclasses add internal synapses in ``__init__`` with :meth:`add_synapse` and sensory synapses in
    :meth:`_connect_sensory`, which :meth:`build` calls on a fresh copy once the input size is known.
    A subclass lists its constructor arguments in ``config_keys`` and keeps each one as the attribute
    ``_<name>``, which is what :meth:`to_dict` stores. Use :meth:`from_adjacency` to make a wiring from
    matrices you already have.

    Args:
        units: number of neurons (the state size of a cell using this wiring), at least 1.
        output_dim: number of motor neurons (ids ``0 .. output_dim - 1``); defaults to ``units``.
        input_dim: if given, the returned wiring is already built for this many input features.

    Example:
        >>> from biojax.wiring import Wiring
        >>> wiring = Wiring(3, output_dim=1)
        >>> wiring.add_synapse(1, 0, -1)
        >>> built = wiring.build(2)
        >>> int(built.adjacency_matrix[1, 0]), built.sensory_adjacency_matrix.shape
        (-1, (2, 3))
    """

    #: Names of the constructor arguments stored by :meth:`to_dict`.
    config_keys: ClassVar[tuple[str, ...]] = ("units", "output_dim")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def __init__(self, units: int, output_dim: int | None = None, *, input_dim: int | None = None):
        self._units = check_int("units", units, minimum=1)
        self._output_dim = (
            self._units
            if output_dim is None
            else check_int("output_dim", output_dim, minimum=1, maximum=self._units)
        )
        self._adjacency = np.zeros((self._units, self._units), dtype=np.int32)
        self._sensory: np.ndarray | None = None
        self._input_dim: int | None = None
        self._sealed = False
        if input_dim is not None:
            self._build_in_place(input_dim)

    # ------------------------------------------------------------------ structure
    @property
    def units(self) -> int:
        """Number of neurons."""
        return self._units

    @property
    def state_size(self) -> int:
        """Size of the recurrent state of a cell using this wiring (``units``)."""
        return self._units

    @property
    def input_dim(self) -> int | None:
        """Number of input features, or ``None`` before :meth:`build`."""
        return self._input_dim

    @property
    def output_dim(self) -> int:
        """Number of motor neurons (ids ``0 .. output_dim - 1``)."""
        return self._output_dim

    @property
    def adjacency_matrix(self) -> np.ndarray:
        """``(units, units)`` int32 polarities, ``[src, dest]``."""
        return self._adjacency

    @property
    def sensory_adjacency_matrix(self) -> np.ndarray | None:
        """``(input_dim, units)`` int32 polarities, or ``None`` before :meth:`build`."""
        return self._sensory

    @property
    def num_layers(self) -> int:
        """Number of neuron layers (1 for an unlayered wiring)."""
        return 1

    def get_neurons_of_layer(self, layer_id: int) -> list[int]:
        """Neuron ids of layer ``layer_id`` (all neurons for an unlayered wiring)."""
        check_int("layer_id", layer_id, minimum=0, maximum=self.num_layers - 1)
        return list(range(self._units))

    def get_type_of_neuron(self, neuron_id: int) -> str:
        """``"motor"`` for ids below ``output_dim``, else ``"inter"``."""
        check_int("neuron_id", neuron_id, minimum=0, maximum=self._units - 1)
        return "motor" if neuron_id < self._output_dim else "inter"

    def is_built(self) -> bool:
        """Whether the input size is known and the sensory synapses exist."""
        return self._input_dim is not None

    @property
    def synapse_count(self) -> int:
        """Number of synapses between neurons."""
        return int(np.abs(self._adjacency).sum())

    @property
    def sensory_synapse_count(self) -> int:
        """Number of synapses from input features (ncps returns the internal count here; we do not)."""
        if self._sensory is None:
            raise ValueError("sensory_synapse_count needs a built wiring; call build(input_dim) first")
        return int(np.abs(self._sensory).sum())

    def erev_initializer(self) -> np.ndarray:
        """Initial LTC reversal potentials: a writable copy of :attr:`adjacency_matrix`."""
        return np.array(self._adjacency, dtype=np.int32)

    def sensory_erev_initializer(self) -> np.ndarray:
        """Initial sensory reversal potentials: a writable copy of :attr:`sensory_adjacency_matrix`."""
        if self._sensory is None:
            raise ValueError("sensory_erev_initializer needs a built wiring; call build(input_dim) first")
        return np.array(self._sensory, dtype=np.int32)

    # ------------------------------------------------------------------ building
    def add_synapse(self, src: int, dest: int, polarity: int) -> None:
        """Sets the synapse ``src -> dest`` to ``polarity`` (only while constructing a wiring)."""
        self._check_mutable("add_synapse")
        check_int("src", src, minimum=0, maximum=self._units - 1)
        check_int("dest", dest, minimum=0, maximum=self._units - 1)
        self._adjacency[src, dest] = _check_polarity(polarity)

    def add_sensory_synapse(self, src: int, dest: int, polarity: int) -> None:
        """Sets the synapse from input ``src`` to neuron ``dest`` (only inside :meth:`_connect_sensory`)."""
        self._check_mutable("add_sensory_synapse")
        if self._sensory is None:
            raise ValueError(
                "add_sensory_synapse needs the input size: add sensory synapses in _connect_sensory(), "
                "which build(input_dim) calls"
            )
        check_int("src", src, minimum=0, maximum=self._sensory.shape[0] - 1)
        check_int("dest", dest, minimum=0, maximum=self._units - 1)
        self._sensory[src, dest] = _check_polarity(polarity)

    def _connect_sensory(self) -> None:
        """Adds the sensory synapses; subclasses override it. The base class adds none."""

    def build(self, input_dim: int) -> Wiring:
        """Returns a built, sealed copy of this wiring for ``input_dim`` input features.

        Building is deterministic (the random state is copied, not consumed), so ``w.build(3)`` gives the
        same wiring every time. A built wiring returns itself for the same ``input_dim`` and raises for a
        different one.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> wiring = AutoNCP(16, 4)
            >>> wiring.build(3) == wiring.build(3), wiring.is_built()
            (True, False)
        """
        input_dim = check_int("input_dim", input_dim, minimum=1)
        if self._input_dim is not None:
            if input_dim != self._input_dim:
                raise ValueError(
                    f"input_dim={input_dim} conflicts with this wiring, which is already built for "
                    f"input_dim={self._input_dim}; build the unbuilt wiring again instead"
                )
            return self
        built = copy.deepcopy(self)
        built._build_in_place(input_dim)
        return built

    def _build_in_place(self, input_dim: int) -> None:
        self._input_dim = check_int("input_dim", input_dim, minimum=1)
        self._sensory = np.zeros((self._input_dim, self._units), dtype=np.int32)
        self._connect_sensory()
        self._seal()

    def _seal(self) -> None:
        self._sealed = True
        self._adjacency.setflags(write=False)
        if self._sensory is not None:
            self._sensory.setflags(write=False)

    def _check_mutable(self, method: str) -> None:
        if self._sealed:
            raise TypeError(
                f"{method}: this wiring is built and immutable; use with_matrices() or "
                "Wiring.from_adjacency() to make a changed copy"
            )

    # ------------------------------------------------------------------ changed copies
    @classmethod
    def from_adjacency(
        cls,
        adjacency_matrix: Any,
        sensory_adjacency_matrix: Any = None,
        output_dim: int | None = None,
    ) -> Wiring:
        """A plain :class:`Wiring` with the given matrices (built when the sensory matrix is given).

        Example:
            >>> import numpy as np
            >>> from biojax.wiring import Wiring
            >>> w = Wiring.from_adjacency(np.eye(2, dtype=int), np.ones((3, 2), int), output_dim=1)
            >>> w.synapse_count, w.sensory_synapse_count, w.input_dim
            (2, 6, 3)
        """
        adjacency = _as_polarity_matrix("adjacency_matrix", adjacency_matrix)
        if adjacency.shape[0] != adjacency.shape[1]:
            raise ValueError(f"adjacency_matrix must be square, got shape {adjacency.shape}")
        wiring = Wiring(adjacency.shape[0], output_dim)
        wiring._adjacency[...] = adjacency
        if sensory_adjacency_matrix is not None:
            sensory = _as_polarity_matrix("sensory_adjacency_matrix", sensory_adjacency_matrix)
            if sensory.shape[1] != adjacency.shape[0]:
                raise ValueError(
                    f"sensory_adjacency_matrix must have {adjacency.shape[0]} columns, got shape "
                    f"{sensory.shape}"
                )
            wiring._input_dim = sensory.shape[0]
            wiring._sensory = sensory
            wiring._seal()
        return wiring

    def with_matrices(
        self, adjacency_matrix: Any = None, sensory_adjacency_matrix: Any = None
    ) -> Wiring:
        """A sealed copy of this (built) wiring, same class and layers, with matrices replaced.

        Used by wiring optimization (pruning, growing synapses) to keep the neuron types and layers.

        Example:
            >>> import numpy as np
            >>> from biojax.wiring import AutoNCP
            >>> w = AutoNCP(16, 4).build(3)
            >>> pruned = w.with_matrices(adjacency_matrix=np.zeros((16, 16), int))
            >>> type(pruned).__name__, pruned.synapse_count, pruned.sensory_synapse_count == w.sensory_synapse_count
            ('AutoNCP', 0, True)
        """
        if not self.is_built():
            raise ValueError("with_matrices needs a built wiring; call build(input_dim) first")
        changed = copy.copy(self)
        changed._adjacency = (
            self._adjacency.copy()
            if adjacency_matrix is None
            else _as_polarity_matrix("adjacency_matrix", adjacency_matrix, self._adjacency.shape)
        )
        changed._sensory = (
            self._sensory.copy()
            if sensory_adjacency_matrix is None
            else _as_polarity_matrix(
                "sensory_adjacency_matrix", sensory_adjacency_matrix, self._sensory.shape
            )
        )
        changed._seal()
        return changed

    # ------------------------------------------------------------------ serialisation
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments of this wiring (JSON-safe)."""
        return {key: getattr(self, "_" + key) for key in self.config_keys}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict that :meth:`from_dict` turns back into an equal wiring of the same class.

        The matrices are stored too, so a wiring changed with :meth:`with_matrices` survives the trip.

        Example:
            >>> import json
            >>> from biojax.wiring import NCP, Wiring
            >>> w = NCP(6, 4, 2, 3, 2, 3, 2, seed=5).build(3)
            >>> Wiring.from_dict(json.loads(json.dumps(w.to_dict()))) == w
            True
        """
        return {
            "class": type(self).__name__,
            "config": self.get_config(),
            "input_dim": self._input_dim,
            "adjacency_matrix": self._adjacency.tolist(),
            "sensory_adjacency_matrix": None if self._sensory is None else self._sensory.tolist(),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Wiring:
        """Restores a wiring written by :meth:`to_dict` (same class, same matrices)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a mapping made by Wiring.to_dict(), got {type(data).__name__}")
        missing = {"class", "config", "input_dim", "adjacency_matrix"} - set(data)
        if missing:
            raise ValueError(f"data is missing the keys {sorted(missing)}; expected a Wiring.to_dict() result")
        name = data["class"]
        if name not in _REGISTRY:
            raise ValueError(f"unknown wiring class {name!r}; known: {sorted(_REGISTRY)}")
        wiring = _REGISTRY[name](**data["config"])
        if data["input_dim"] is None:
            wiring._adjacency[...] = _as_polarity_matrix(
                "adjacency_matrix", data["adjacency_matrix"], wiring._adjacency.shape
            )
            return wiring
        return wiring.build(data["input_dim"]).with_matrices(
            data["adjacency_matrix"], data.get("sensory_adjacency_matrix")
        )

    # ------------------------------------------------------------------ value semantics
    def _key(self) -> tuple[Any, ...]:
        sensory = None if self._sensory is None else self._sensory.tobytes()
        return (
            tuple(sorted(self.get_config().items())),
            self._input_dim,
            self._adjacency.tobytes(),
            sensory,
        )

    def _repr_extra(self) -> str:
        return f", input_dim={self._input_dim}"


_REGISTRY["Wiring"] = Wiring
