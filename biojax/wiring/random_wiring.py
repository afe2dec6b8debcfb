"""``Random``: a fixed fraction of all possible synapses, drawn at random (ncps semantics)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from biojax._validation import check_int, check_number
from biojax.wiring.base import Wiring

_POLARITIES = (-1, 1, 1)


class Random(Wiring):
    """Random sparse wiring with the same draws as ncps 1.0.1's ``Random``.

    ``round(units * units * (1 - sparsity_level))`` internal synapses (self-loops allowed) and
    ``round(input_dim * units * (1 - sparsity_level))`` sensory synapses are drawn without replacement;
    one synapse in three is inhibitory on average.

    Args:
        units: number of neurons.
        output_dim: number of motor neurons, ``units`` by default.
        sparsity_level: fraction of absent synapses, in ``[0, 1)``.
        random_seed: seed of the NumPy generator.
        input_dim: if given, the wiring is returned built.

    Example:
        >>> from biojax.wiring import Random
        >>> w = Random(32, 1, sparsity_level=0.5).build(2)
        >>> w.synapse_count, w.sensory_synapse_count
        (512, 32)
    """

    config_keys: ClassVar[tuple[str, ...]] = ("units", "output_dim", "sparsity_level", "random_seed")

    def __init__(
        self,
        units: int,
        output_dim: int | None = None,
        sparsity_level: float = 0.0,
        random_seed: int = 1111,
        *,
        input_dim: int | None = None,
    ):
        super().__init__(units, output_dim)
        self._sparsity_level = check_number(
            "sparsity_level", sparsity_level, minimum=0.0, maximum=1.0, max_inclusive=False
        )
        self._random_seed = check_int("random_seed", random_seed, minimum=0)
        self._rng = np.random.default_rng(random_seed)
        for src, dest in self._draw_pairs(self.units):
            self.add_synapse(int(src), int(dest), int(self._rng.choice(_POLARITIES)))
        if input_dim is not None:
            self._build_in_place(input_dim)

    def _draw_pairs(self, n_sources: int) -> np.ndarray:
        count = int(np.round(n_sources * self.units * (1 - self._sparsity_level)))
        pairs = np.array([(src, dest) for src in range(n_sources) for dest in range(self.units)])
        return self._rng.choice(pairs, size=count, replace=False)

    def _connect_sensory(self) -> None:
        for src, dest in self._draw_pairs(self.input_dim):
            # ncps draws the polarity of each sensory synapse twice and keeps the second draw; we draw
            # twice as well so that the matrices stay equal to ncps's.
            self._rng.choice(_POLARITIES)
            self.add_sensory_synapse(int(src), int(dest), int(self._rng.choice(_POLARITIES)))
