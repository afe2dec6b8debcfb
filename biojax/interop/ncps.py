"""Converting ncps torch ``LTC`` / ``CfC`` weights into biojax params."""

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

_SKIPPED = ("sparsity_mask", "sensory_sparsity_mask")


def _state_dict(module: Any) -> dict[str, np.ndarray]:
    if isinstance(module, Mapping):
        items = module.items()
    elif hasattr(module, "state_dict"):
        items = module.state_dict().items()
    else:
        raise TypeError(
            f"module must be an ncps torch module or a state dict mapping, got {type(module).__name__}"
        )
    out = {}
    for key, value in items:
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        out[str(key)] = np.asarray(value, dtype=np.float32)
    return out


def _backbone_names(keys: list[str]) -> dict[str, str]:
    """Maps ncps's ``backbone.<sequential index>`` to biojax's ``backbone_<layer>``."""
    indices = sorted({int(m.group(1)) for k in keys if (m := re.search(r"backbone\.(\d+)\.", k))})
    return {f"backbone.{index}": f"backbone_{layer}" for layer, index in enumerate(indices)}


def params_from_torch(module: Any) -> dict[str, Any]:
    """Returns the biojax ``params`` collection equal to an ncps torch ``LTC`` or ``CfC``.

    Works for ``LTC`` (any wiring, ``mixed_memory``), dense ``CfC`` (every mode, backbone depth,
    ``proj_size``, ``mixed_memory``) and wired ``CfC``. Linear weights ``(out, in)`` become Flax
    kernels ``(in, out)``; ncps's stored masks are dropped (biojax derives them from the wiring). Use
    the result with the biojax model built with the same arguments:
    ``model.apply({"params": params_from_torch(torch_model)}, x)``.

    Args:
        module: an ncps torch module, or its ``state_dict()`` (any mapping of name to array).

    Example:
        >>> import numpy as np
        >>> sd = {"rnn_cell.ff1.weight": np.ones((2, 5)), "rnn_cell.ff1.bias": np.zeros(2)}
        >>> params = params_from_torch(sd)
        >>> params["rnn_cell"]["ff1"]["kernel"].shape
        (5, 2)
    """
    state = _state_dict(module)
    renames = _backbone_names(list(state))
    params: dict[str, Any] = {}
    for key, value in state.items():
        for old, new in renames.items():
            key = key.replace(old + ".", new + ".")
        parts = key.split(".")
        if parts[-1] in _SKIPPED:
            continue
        if parts[-1] == "weight":
            parts[-1], value = "kernel", value.T
        node = params
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return params
