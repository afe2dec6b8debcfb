"""``NCP`` and ``AutoNCP``: the four-layer neural circuit policy wiring (ncps semantics).

Neuron ids: motor ``[0, M)``, command ``[M, M + C)``, inter ``[M + C, M + C + I)``. Layers (for
``get_neurons_of_layer``): 0 inter, 1 command, 2 motor. The random draws are those of ncps 1.0.1
(``numpy.random.RandomState(seed)``, same calls in the same order), so the matrices are equal to ncps's.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from biojax._validation import check_int, check_number
from biojax.wiring.base import Wiring


class NCP(Wiring):
    """Neural circuit policy: sensory -> inter -> command (recurrent) -> motor.

    Args:
        inter_neurons: number of inter neurons (layer 0), at least 1.
        command_neurons: number of command neurons (layer 1), at least 1.
        motor_neurons: number of motor neurons (layer 2, the outputs), at least 1.
        sensory_fanout: inter neurons each input feature connects to, in ``[1, inter_neurons]``.
        inter_fanout: command neurons each inter neuron connects to, in ``[1, command_neurons]``.
        recurrent_command_synapses: command -> command synapses drawn (repeats overwrite), ``>= 0``.
        motor_fanin: command neurons each motor neuron listens to, in ``[1, command_neurons]``.
        seed: seed of the ``numpy.random.RandomState`` that draws the synapses.
        input_dim: if given, the wiring is returned built.

    Example:
        >>> from biojax.wiring import NCP
        >>> w = NCP(8, 4, 4, 4, 2, 4, 2).build(8)
        >>> w.units, w.output_dim, w.num_layers, w.get_neurons_of_layer(1)
        (16, 4, 3, [4, 5, 6, 7])
    """

    config_keys: ClassVar[tuple[str, ...]] = (
        "inter_neurons",
        "command_neurons",
        "motor_neurons",
        "sensory_fanout",
        "inter_fanout",
        "recurrent_command_synapses",
        "motor_fanin",
        "seed",
    )

    def __init__(
        self,
        inter_neurons: int,
        command_neurons: int,
        motor_neurons: int,
        sensory_fanout: int,
        inter_fanout: int,
        recurrent_command_synapses: int,
        motor_fanin: int,
        seed: int = 22222,
        *,
        input_dim: int | None = None,
    ):
        self._inter_neurons = check_int("inter_neurons", inter_neurons, minimum=1)
        self._command_neurons = check_int("command_neurons", command_neurons, minimum=1)
        self._motor_neurons = check_int("motor_neurons", motor_neurons, minimum=1)
        self._sensory_fanout = check_int(
            "sensory_fanout", sensory_fanout, minimum=1, maximum=self._inter_neurons
        )
        self._inter_fanout = check_int(
            "inter_fanout", inter_fanout, minimum=1, maximum=self._command_neurons
        )
        self._recurrent_command_synapses = check_int(
            "recurrent_command_synapses", recurrent_command_synapses, minimum=0
        )
        self._motor_fanin = check_int("motor_fanin", motor_fanin, minimum=1, maximum=self._command_neurons)
        self._seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)
        units = self._inter_neurons + self._command_neurons + self._motor_neurons
        super().__init__(units, self._motor_neurons)
        self._rng = np.random.RandomState(self._seed)
        if input_dim is not None:
            self._build_in_place(input_dim)

    @property
    def motor_neurons(self) -> list[int]:
        """Ids of the motor neurons."""
        return list(range(self._motor_neurons))

    @property
    def command_neurons(self) -> list[int]:
        """Ids of the command neurons."""
        start = self._motor_neurons
        return list(range(start, start + self._command_neurons))

    @property
    def inter_neurons(self) -> list[int]:
        """Ids of the inter neurons."""
        start = self._motor_neurons + self._command_neurons
        return list(range(start, start + self._inter_neurons))

    @property
    def num_layers(self) -> int:
        """Three layers: inter, command, motor."""
        return 3

    def get_neurons_of_layer(self, layer_id: int) -> list[int]:
        """Neuron ids of layer 0 (inter), 1 (command) or 2 (motor)."""
        check_int("layer_id", layer_id, minimum=0, maximum=2)
        return (self.inter_neurons, self.command_neurons, self.motor_neurons)[layer_id]

    def get_type_of_neuron(self, neuron_id: int) -> str:
        """``"motor"``, ``"command"`` or ``"inter"``."""
        check_int("neuron_id", neuron_id, minimum=0, maximum=self.units - 1)
        if neuron_id < self._motor_neurons:
            return "motor"
        if neuron_id < self._motor_neurons + self._command_neurons:
            return "command"
        return "inter"

    def _polarity(self) -> int:
        return int(self._rng.choice((-1, 1)))

    def _connect_sensory(self) -> None:
        # The four steps run in ncps's order because they share one random stream.
        self._connect_sensory_to_inter()
        self._connect_inter_to_command()
        self._connect_recurrent_command()
        self._connect_command_to_motor()

    def _connect_sensory_to_inter(self) -> None:
        sensory = list(range(self.input_dim))
        inter = self.inter_neurons
        unreached = set(inter)
        for src in sensory:
            for dest in self._rng.choice(inter, size=self._sensory_fanout, replace=False):
                unreached.discard(int(dest))
                self.add_sensory_synapse(src, int(dest), self._polarity())
        fanin = int(np.clip(int(self.input_dim * self._sensory_fanout / self._inter_neurons), 1, self.input_dim))
        for dest in sorted(unreached):
            for src in self._rng.choice(sensory, size=fanin, replace=False):
                self.add_sensory_synapse(int(src), dest, self._polarity())

    def _connect_inter_to_command(self) -> None:
        command = self.command_neurons
        unreached = set(command)
        for src in self.inter_neurons:
            for dest in self._rng.choice(command, size=self._inter_fanout, replace=False):
                unreached.discard(int(dest))
                self.add_synapse(src, int(dest), self._polarity())
        # ncps caps this fan-in at the number of command neurons (not inter neurons); kept for equality.
        fanin = int(
            np.clip(int(self._inter_neurons * self._inter_fanout / self._command_neurons), 1, self._command_neurons)
        )
        for dest in sorted(unreached):
            for src in self._rng.choice(self.inter_neurons, size=fanin, replace=False):
                self.add_synapse(int(src), dest, self._polarity())

    def _connect_recurrent_command(self) -> None:
        command = self.command_neurons
        for _ in range(self._recurrent_command_synapses):
            src = int(self._rng.choice(command))
            dest = int(self._rng.choice(command))
            self.add_synapse(src, dest, self._polarity())

    def _connect_command_to_motor(self) -> None:
        command = self.command_neurons
        unreached = set(command)
        for dest in self.motor_neurons:
            for src in self._rng.choice(command, size=self._motor_fanin, replace=False):
                unreached.discard(int(src))
                self.add_synapse(int(src), dest, self._polarity())
        fanout = int(
            np.clip(int(self._motor_neurons * self._motor_fanin / self._command_neurons), 1, self._motor_neurons)
        )
        for src in sorted(unreached):
            for dest in self._rng.choice(self.motor_neurons, size=fanout, replace=False):
                self.add_synapse(src, int(dest), self._polarity())


class AutoNCP(NCP):
    """An :class:`NCP` sized from the number of units, outputs and a sparsity level (ncps rules).

    ``command = max(int(0.4 * (units - output_size)), 1)``, ``inter = units - output_size - command``,
    and with ``density = 1 - sparsity_level``: ``sensory_fanout = max(int(inter * density), 1)``,
    ``inter_fanout = motor_fanin = max(int(command * density), 1)``,
    ``recurrent_command_synapses = max(int(command * density * 2), 1)``.

    Args:
        units: total number of neurons, greater than ``output_size + 2``.
        output_size: number of motor neurons (about ``0.3 * units`` is a good choice).
        sparsity_level: in ``[0.1, 1.0]`` as in ncps (ncps's error message wrongly says 0.0 to 0.9).
        seed: seed of the random draws.
        input_dim: if given, the wiring is returned built.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> w = AutoNCP(28, 4).build(8)
        >>> w.synapse_count, w.sensory_synapse_count
        (84, 56)
    """

    config_keys: ClassVar[tuple[str, ...]] = ("units", "output_size", "sparsity_level", "seed")

    def __init__(
        self,
        units: int,
        output_size: int,
        sparsity_level: float = 0.5,
        seed: int = 22222,
        *,
        input_dim: int | None = None,
    ):
        units = check_int("units", units, minimum=4)
        self._output_size = check_int("output_size", output_size, minimum=1, maximum=units - 3)
        self._sparsity_level = check_number("sparsity_level", sparsity_level, minimum=0.1, maximum=1.0)
        density = 1.0 - self._sparsity_level
        inter_and_command = units - self._output_size
        command = max(int(0.4 * inter_and_command), 1)
        inter = inter_and_command - command
        super().__init__(
            inter_neurons=inter,
            command_neurons=command,
            motor_neurons=self._output_size,
            sensory_fanout=max(int(inter * density), 1),
            inter_fanout=max(int(command * density), 1),
            recurrent_command_synapses=max(int(command * density * 2), 1),
            motor_fanin=max(int(command * density), 1),
            seed=seed,
            input_dim=input_dim,
        )
