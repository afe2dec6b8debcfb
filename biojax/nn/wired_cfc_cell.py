"""CfC cell arranged by a wiring's layers (ncps torch ``WiredCfCCell``)."""

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice
from biojax.nn._shape_checks import check_state_shape
from biojax.nn._wiring_args import as_wiring
from biojax.nn.cfc_cell import CFC_MODES, CfCCell
from biojax.wiring import ParamSlot, SynapseSlots

INTRA_LAYER = ("dense", "wiring")
AUTO_REMAT_BYTES = 16 * 2**20


def layer_masks(wiring: Any, intra_layer: str = "dense") -> list[np.ndarray]:
    """The ``(in + n_l, n_l)`` 0/1 masks of each layer's CfC block, in Flax layout.

    The input block is the sensory adjacency (layer 0) or the previous layer's adjacency to this
    layer; the recurrent block is all ones with ``intra_layer="dense"`` (ncps) or the wiring's own
    within-layer synapses with ``"wiring"``.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> [m.shape for m in layer_masks(AutoNCP(16, 4).build(3))]
        [(11, 8), (12, 4), (8, 4)]
    """
    adjacency = np.abs(wiring.adjacency_matrix)
    masks, previous = [], None
    for layer in range(wiring.num_layers):
        neurons = wiring.get_neurons_of_layer(layer)
        if previous is None:
            incoming = np.abs(wiring.sensory_adjacency_matrix)[:, neurons]
        else:
            incoming = adjacency[np.ix_(previous, neurons)]
        if intra_layer == "dense":
            recurrent = np.ones((len(neurons), len(neurons)))
        else:
            recurrent = adjacency[np.ix_(neurons, neurons)]
        masks.append((np.concatenate([incoming, recurrent]) != 0).astype(np.float32))
        previous = neurons
    return masks


class WiredCfCCell(nn.Module):
    """One CfC block per wiring layer (``layer_0`` ... ``layer_{L-1}``), as ncps torch's ``WiredCfCCell``.

    Each block has no backbone, ``lecun_tanh`` and the given ``mode``; its ``ff1``/``ff2`` kernels are
    masked by :func:`layer_masks` (``time_a``/``time_b`` stay dense, as in ncps, except with
    ``intra_layer="wiring"``). The state is the
    concatenation of the layers' states in layer order ``[inter | command | motor]`` (not neuron-id
    order), and the output is the last layer's state. ncps always uses dense within-layer
    recurrence and ignores e.g. NCP's recurrent command synapses (ncps issue #53);
    ``intra_layer="wiring"`` uses the wiring's within-layer synapses instead and masks the time heads
    too, so that every path follows a synapse (for NCP: inter and motor neurons have no recurrence,
    command neurons only their recurrent synapses).

    Attributes:
        wiring: a :class:`~biojax.wiring.Wiring`, built or not.
        mode: ``"default"``, ``"pure"`` or ``"no_gate"``.
        intra_layer: ``"dense"`` (ncps) or ``"wiring"``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.wiring import AutoNCP
        >>> cell = WiredCfCCell(AutoNCP(16, 4))
        >>> x, h = jnp.ones((2, 3)), jnp.zeros((2, 16))
        >>> params = cell.init(jax.random.key(0), x, h)
        >>> out, h = cell.apply(params, x, h)
        >>> out.shape, h.shape
        ((2, 4), (2, 16))
    """

    wiring: Any
    mode: str = "default"
    intra_layer: str = "dense"

    def __post_init__(self) -> None:
        as_wiring("wiring", self.wiring)
        check_choice("mode", self.mode, CFC_MODES)
        check_choice("intra_layer", self.intra_layer, INTRA_LAYER)
        super().__post_init__()

    def built_wiring(self, input_dim: int) -> Any:
        """The wiring built for ``input_dim`` inputs.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(16, 4)).built_wiring(3).input_dim
            3
        """
        return as_wiring("wiring", self.wiring).build(input_dim)

    def layer_sizes(self, input_dim: int) -> list[int]:
        """Number of neurons in each layer, i.e. how the state splits.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(16, 4)).layer_sizes(3)
            [8, 4, 4]
        """
        wiring = self.built_wiring(input_dim)
        return [len(wiring.get_neurons_of_layer(layer)) for layer in range(wiring.num_layers)]

    def state_size(self, input_dim: int) -> int:
        """Width of the state: every neuron, in layer order.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(16, 4)).state_size(3)
            16
        """
        return self.built_wiring(input_dim).units

    def output_size(self, input_dim: int) -> int:
        """Width of the output: the motor neurons (the last layer).

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(16, 4)).output_size(3)
            4
        """
        return self.built_wiring(input_dim).output_dim

    def state_neurons(self, input_dim: int) -> np.ndarray:
        """The neuron id of each state column: the layers' neurons, layer after layer.

        Example:
            >>> from biojax.wiring import NCP
            >>> WiredCfCCell(NCP(2, 2, 1, 1, 1, 1, 1)).state_neurons(2).tolist()
            [3, 4, 1, 2, 0]
        """
        wiring = self.built_wiring(input_dim)
        return np.concatenate([wiring.get_neurons_of_layer(layer) for layer in range(wiring.num_layers)])

    def synapse_slots(self, params: Any) -> SynapseSlots:
        """Where the synapses are in this cell's params, for wiring optimization (:mod:`biojax.rewiring`).

        Each layer's masked ``ff1``/``ff2`` kernels (plus ``time_a``/``time_b`` with
        ``intra_layer="wiring"``) hold its synapses: rows ``[previous layer (or inputs) | own layer]``,
        columns the layer's neurons. With ``"dense"`` the within-layer block is always on and is not part of
        the wiring.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> from biojax.wiring import AutoNCP
            >>> cell = WiredCfCCell(AutoNCP(8, 2))
            >>> params = cell.init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 8)))["params"]
            >>> [slot.path for slot in cell.synapse_slots(params).slots][:2]
            [('layer_0', 'ff1', 'kernel'), ('layer_0', 'ff2', 'kernel')]
        """
        unbuilt = as_wiring("wiring", self.wiring)
        first_layer = len(unbuilt.get_neurons_of_layer(0))
        wiring = self.built_wiring(int(np.shape(params["layer_0"]["ff1"]["kernel"])[0]) - first_layer)
        heads = ("ff1", "ff2", "time_a", "time_b") if self.intra_layer == "wiring" else ("ff1", "ff2")
        slots, previous = [], None
        for layer in range(wiring.num_layers):
            neurons = np.asarray(wiring.get_neurons_of_layer(layer))
            sources = np.arange(wiring.input_dim) if previous is None else previous
            rows = len(sources) + len(neurons)
            src = np.concatenate([sources, neurons])[:, None].repeat(len(neurons), axis=1)
            dest = np.broadcast_to(neurons, (rows, len(neurons))).copy()
            is_sensory = np.zeros((rows, len(neurons)), bool)
            is_sensory[: len(sources)] = previous is None
            valid = np.ones((rows, len(neurons)), bool)
            valid[len(sources):] = self.intra_layer == "wiring"
            slots += [ParamSlot((f"layer_{layer}", head, "kernel"), is_sensory, src, dest, valid, "weight")
                      for head in heads if head in params[f"layer_{layer}"]]
            previous = neurons
        return SynapseSlots("wired_cfc", wiring, tuple(slots))

    def saved_bytes(self, steps: int, batch: int, input_dim: int) -> int:
        """Estimated bytes a sequence saves for its backward pass without ``remat``.

        ``steps * batch * widths * 4``: per step and row, each layer's ``[input, state]`` and the state.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(128, 8)).saved_bytes(100, 256, 16) / 2**20
            38.28125
        """
        sizes = self.layer_sizes(input_dim)
        widths = sum(fan_in + size for fan_in, size in zip([input_dim, *sizes[:-1]], sizes)) + sum(sizes)
        return steps * batch * widths * 4

    def remat_policy(self) -> Callable[..., bool]:
        """A recomputed step keeps its matrix-product outputs (``dots_with_no_batch_dims_saveable``) and
        redoes only the elementwise gates in the backward pass.

        Example:
            >>> import jax
            >>> WiredCfCCell(4).remat_policy() is jax.checkpoint_policies.dots_with_no_batch_dims_saveable
            True
        """
        return jax.checkpoint_policies.dots_with_no_batch_dims_saveable

    def remat_by_default(self, steps: int, batch: int, input_dim: int) -> bool:
        """Whether ``remat=None`` recomputes each step in the backward pass instead of saving its values.

        When JAX's default backend is the CPU and :meth:`saved_bytes` exceeds ``AUTO_REMAT_BYTES``
        (16 MiB). Measured on a 2-core CPU (``benchmarks/remat_choice.py``, ``benchmarks/RESULTS.md``):
        writing and later reading tens of megabytes of fresh buffers costs more than redoing the step
        (40 MB: training step 89-109 -> 64 ms), while for small sequences (2.4-10 MiB) recomputing was no
        faster or slower.

        Example:
            >>> import jax
            >>> from biojax.wiring import AutoNCP
            >>> cell = WiredCfCCell(AutoNCP(128, 8))
            >>> cell.remat_by_default(100, 256, 16) == (jax.default_backend() == "cpu")
            True
            >>> cell.remat_by_default(100, 8, 16)
            False
        """
        return jax.default_backend() == "cpu" and self.saved_bytes(steps, batch, input_dim) > AUTO_REMAT_BYTES

    @nn.compact
    def __call__(
        self, inputs: jax.Array, h: jax.Array, ts: Any = 1.0
    ) -> tuple[jax.Array, jax.Array]:
        masks = layer_masks(self.built_wiring(inputs.shape[-1]), self.intra_layer)
        sizes = [mask.shape[1] for mask in masks]
        check_state_shape("h", h, (inputs.shape[0], sum(sizes)))
        states = jnp.split(h, np.cumsum(sizes)[:-1], axis=-1)
        x, new_states = inputs, []
        for layer, (mask, state) in enumerate(zip(masks, states)):
            cell = CfCCell(
                mask.shape[1], mode=self.mode, backbone_layers=0, sparsity_mask=mask,
                mask_time_heads=self.intra_layer == "wiring", name=f"layer_{layer}",
            )
            x, _ = cell(x, state, ts)
            new_states.append(x)
        return x, jnp.concatenate(new_states, axis=-1)

    def step_function(
        self, params: Any, input_dim: int, fixed_timespan: float | None = None, *, deterministic: bool = True
    ) -> Callable[..., tuple[jax.Array, jax.Array]]:
        """The update as a pure function ``step(inputs, h, ts=1.0)`` of ``params`` (see
        :meth:`CfCCell.step_function`, also for ``fixed_timespan``). The cell has no randomness:
        ``deterministic`` and the step's ``key`` exist for the :class:`~biojax.nn.SequenceCell`
        protocol and are ignored.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> from biojax.wiring import AutoNCP
            >>> cell = WiredCfCCell(AutoNCP(8, 2))
            >>> x, h = jnp.ones((2, 3)), jnp.zeros((2, 8))
            >>> params = cell.init(jax.random.key(0), x, h)["params"]
            >>> out, h2 = cell.step_function(params, 3)(x, h)
            >>> bool(jnp.allclose(h2, cell.apply({"params": params}, x, h)[1], atol=1e-6))
            True
        """
        masks = layer_masks(self.built_wiring(input_dim), self.intra_layer)
        steps, in_dim = [], input_dim
        for layer, mask in enumerate(masks):
            cell = CfCCell(mask.shape[1], mode=self.mode, backbone_layers=0, sparsity_mask=mask,
                           mask_time_heads=self.intra_layer == "wiring", parent=None)
            steps.append(cell.step_function(params[f"layer_{layer}"], in_dim, fixed_timespan))
            in_dim = mask.shape[1]
        splits = np.cumsum([mask.shape[1] for mask in masks])[:-1]

        def step(inputs: jax.Array, h: jax.Array, ts: Any = 1.0, key: Any = None) -> tuple[jax.Array, jax.Array]:
            x, new_states = inputs, []
            for layer_step, state in zip(steps, jnp.split(h, splits, axis=-1)):
                x, _ = layer_step(x, state, ts)
                new_states.append(x)
            return x, jnp.concatenate(new_states, axis=-1)

        return step
