"""One JAX device per CPU core, so a bucket's trials run on every core.

XLA:CPU runs one small trial on a single core. A bucket's trial axis is sharded over the local devices
(:class:`biojax.search.BucketTrainer`), so giving JAX one CPU device per core lets each core train its
own share of the trials (on the 2-core development machine: 64 trials 1.9x faster than one by one,
against 1.0-1.2x with one device; ``benchmarks/RESULTS.md``). The device count must be set before JAX
runs its first computation; trials give the same results up to float rounding, and accelerators are
unaffected.
"""

from __future__ import annotations

import os
import re

import jax

from biojax._validation import check_int

_FLAG = re.compile(r"--xla_force_host_platform_device_count=(\d+)")


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one).

    Example:
        >>> available_cores() >= 1
        True
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def use_cpu_cores(n_devices: int | None = None) -> int:
    """Asks JAX for ``n_devices`` CPU devices (default: one per available core); returns the count in use.

    Call it right after ``import jax``, before any JAX computation: a script that trains buckets on a
    CPU starts with ``import jax`` and ``use_cpu_cores()``; ``biojax search`` does this itself
    (``--cpu-devices``). A device count already given in ``XLA_FLAGS``
    (``--xla_force_host_platform_device_count``) wins and is returned unchanged.

    Args:
        n_devices: CPU devices wanted (at least 1); ``None`` means :func:`available_cores`.

    Raises:
        RuntimeError: JAX already ran a computation with a different number of CPU devices.

    Example:
        >>> import jax
        >>> from biojax.search import use_cpu_cores
        >>> started = len(jax.devices("cpu"))  # JAX has started here, so its count stays
        >>> use_cpu_cores(started) == started
        True
    """
    if n_devices is None:
        n_devices = available_cores()
    n_devices = check_int("n_devices", n_devices, minimum=1)
    flag = _FLAG.search(os.environ.get("XLA_FLAGS", ""))
    if flag:
        return int(flag.group(1))
    try:
        jax.config.update("jax_num_cpu_devices", n_devices)
        return n_devices
    except RuntimeError:
        started = len(jax.devices("cpu"))
        if started == n_devices:
            return n_devices
        raise RuntimeError(
            f"use_cpu_cores({n_devices}) came too late: JAX already started with {started} CPU device(s). "
            "Call it before any JAX computation, or set "
            f"XLA_FLAGS=--xla_force_host_platform_device_count={n_devices} before starting Python."
        ) from None
