"""CfC cell arranged by a wiring's layers (ncps torch ``WiredCfCCell``)."""

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice
from biojax.nn._wiring_args import as_wiring
from biojax.nn.cfc_cell import CFC_MODES, CfCCell

INTRA_LAYER = ("dense", "wiring")


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

    def layer_sizes(self, input_dim: int) -> list[int]:
        """Number of neurons in each layer, i.e. how the state splits.

        Example:
            >>> from biojax.wiring import AutoNCP
            >>> WiredCfCCell(AutoNCP(16, 4)).layer_sizes(3)
            [8, 4, 4]
        """
        wiring = as_wiring("wiring", self.wiring).build(input_dim)
        return [len(wiring.get_neurons_of_layer(layer)) for layer in range(wiring.num_layers)]

    @nn.compact
    def __call__(
        self, inputs: jax.Array, h: jax.Array, ts: Any = 1.0
    ) -> tuple[jax.Array, jax.Array]:
        wiring = as_wiring("wiring", self.wiring).build(inputs.shape[-1])
        masks = layer_masks(wiring, self.intra_layer)
        sizes = [mask.shape[1] for mask in masks]
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
        self, params: Any, input_dim: int, fixed_timespan: float | None = None
    ) -> Callable[[jax.Array, jax.Array, Any], tuple[jax.Array, jax.Array]]:
        """The update as a pure function ``step(inputs, h, ts=1.0)`` of ``params`` (see
        :meth:`CfCCell.step_function`, also for ``fixed_timespan``).

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
        wiring = as_wiring("wiring", self.wiring).build(input_dim)
        masks = layer_masks(wiring, self.intra_layer)
        steps, in_dim = [], input_dim
        for layer, mask in enumerate(masks):
            cell = CfCCell(mask.shape[1], mode=self.mode, backbone_layers=0, sparsity_mask=mask,
                           mask_time_heads=self.intra_layer == "wiring", parent=None)
            steps.append(cell.step_function(params[f"layer_{layer}"], in_dim, fixed_timespan))
            in_dim = mask.shape[1]
        splits = np.cumsum([mask.shape[1] for mask in masks])[:-1]

        def step(inputs: jax.Array, h: jax.Array, ts: Any = 1.0) -> tuple[jax.Array, jax.Array]:
            x, new_states = inputs, []
            for layer_step, state in zip(steps, jnp.split(h, splits, axis=-1)):
                x, _ = layer_step(x, state, ts)
                new_states.append(x)
            return x, jnp.concatenate(new_states, axis=-1)

        return step
