"""Data parallelism over local devices: each device differentiates the loss on its own slice of the batch.

On a multi-core CPU, give JAX one CPU device per core first (:func:`biojax.search.use_cpu_cores`);
on a machine with several accelerators the devices are already there.
"""

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, PartitionSpec

_AXIS = "devices"


def data_parallel_value_and_grad(
    loss_fn: Callable[..., jax.Array], devices: Sequence[Any] | None = None
) -> Callable[..., tuple[jax.Array, Any]]:
    """``jax.value_and_grad(loss_fn)`` with the batch split into one equal slice per device.

    The returned ``value_and_grad(params, *batch)`` runs ``jax.value_and_grad(loss_fn)`` on every
    device with that device's slice of each batch array (split along the first axis) and the full
    parameters, then averages the values and gradients over the devices (``jax.shard_map`` and one
    ``pmean``). When ``loss_fn`` is a mean over the rows this equals ``jax.value_and_grad(loss_fn)`` on
    the whole batch up to float rounding. Use it inside ``jax.jit``.

    Args:
        loss_fn: ``loss_fn(params, *batch) -> scalar``, a mean over the batch rows.
        devices: devices to split over (default: all local devices).

    Returns:
        ``value_and_grad(params, *batch) -> (value, grads)``, replicated on every device; it raises
        ``ValueError`` when a batch array's leading size is not divisible by the number of devices.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> def mse(w, x, y):
        ...     return jnp.mean((x @ w - y) ** 2)
        >>> w, x, y = jnp.ones(3), jnp.ones((8, 3)), jnp.zeros(8)
        >>> value, grad = jax.jit(data_parallel_value_and_grad(mse))(w, x, y)
        >>> float(value), grad.tolist()
        (9.0, [6.0, 6.0, 6.0])
    """
    devices = list(devices) if devices is not None else jax.local_devices()
    if not devices:
        raise ValueError("devices must name at least one device, got an empty sequence")
    mesh = Mesh(np.array(devices), (_AXIS,))

    def per_device(params: Any, *batch: jax.Array) -> tuple[jax.Array, Any]:
        return jax.lax.pmean(jax.value_and_grad(loss_fn)(params, *batch), _AXIS)

    def value_and_grad(params: Any, *batch: jax.Array) -> tuple[jax.Array, Any]:
        for i, array in enumerate(batch):
            shape = np.shape(array)
            if not shape or shape[0] % len(devices):
                raise ValueError(
                    f"batch argument {i} must have a leading axis divisible by the {len(devices)} "
                    f"devices, got shape {shape}"
                )
        in_specs = (PartitionSpec(), *[PartitionSpec(_AXIS)] * len(batch))
        # check_vma=False: a model's scan may start from a constant carry (e.g. a zero state), which
        # the varying-axes type check would reject although every device computes locally here.
        split = jax.shard_map(per_device, mesh=mesh, in_specs=in_specs, out_specs=PartitionSpec(),
                              check_vma=False)
        return split(params, *batch)

    return value_and_grad
