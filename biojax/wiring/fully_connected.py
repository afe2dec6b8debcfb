"""``FullyConnected``: every neuron and every input connects to every neuron (ncps semantics)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from biojax._validation import check_int
from biojax.wiring.base import Wiring

# ncps draws each polarity with ``rng.choice([-1, 1, 1])``: one inhibitory synapse in three on average.
_POLARITIES = (-1, 1, 1)


class FullyConnected(Wiring):
    """All-to-all wiring; polarities drawn as in ncps 1.0.1, so the matrices equal ncps's.

    Args:
        units: number of neurons.
        output_dim: number of motor neurons, ``units`` by default.
        erev_init_seed: seed of the NumPy generator that draws the polarities.
        self_connections: whether neuron ``i`` has a synapse onto itself.
        input_dim: if given, the wiring is returned built.

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> w = FullyConnected(4, output_dim=2, self_connections=False, input_dim=3)
        >>> w.synapse_count, w.sensory_synapse_count
        (12, 12)
    """

    config_keys: ClassVar[tuple[str, ...]] = ("units", "output_dim", "erev_init_seed", "self_connections")

    def __init__(
        self,
        units: int,
        output_dim: int | None = None,
        erev_init_seed: int = 1111,
        self_connections: bool = True,
        *,
        input_dim: int | None = None,
    ):
        super().__init__(units, output_dim)
        if not isinstance(self_connections, bool):
            raise TypeError(f"self_connections must be a bool, got {self_connections!r}")
        self._erev_init_seed = check_int("erev_init_seed", erev_init_seed, minimum=0)
        self._self_connections = self_connections
        self._rng = np.random.default_rng(erev_init_seed)
        for src in range(self.units):
            for dest in range(self.units):
                if src != dest or self_connections:
                    self.add_synapse(src, dest, int(self._rng.choice(_POLARITIES)))
        if input_dim is not None:
            self._build_in_place(input_dim)

    def _connect_sensory(self) -> None:
        for src in range(self.input_dim):
            for dest in range(self.units):
                self.add_sensory_synapse(src, dest, int(self._rng.choice(_POLARITIES)))
