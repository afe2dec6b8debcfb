"""Where biojax runs: platform, versions, JAX backend and devices, and how to pick another device.

JAX chooses its backend at start-up from the installed plugins (CUDA, ROCm, TPU, Apple's ``jax-metal``)
and the ``JAX_PLATFORMS`` environment variable; the same biojax code runs on all of them. Nothing here
changes numerics or threading (sentinel-ai's Apple-Silicon workarounds are not needed in JAX).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sys
from typing import Any

# Optional accelerator plugins: distribution name -> JAX platform name.
ACCELERATOR_PLUGINS = {
    "jax-metal": "METAL",
    "jax-cuda12-plugin": "cuda",
    "jax-cuda13-plugin": "cuda",
    "jax-rocm-plugin": "rocm",
    "libtpu": "tpu",
}

__all__ = ["ACCELERATOR_PLUGINS", "HOW_TO_SELECT", "describe", "info"]

HOW_TO_SELECT = (
    "Set JAX_PLATFORMS before importing jax: JAX_PLATFORMS=cpu (CPU only), =cuda (NVIDIA), =rocm (AMD), "
    "=tpu, or =METAL (Apple GPU through the jax-metal plugin). In code, place arrays with "
    "jax.device_put(x, jax.devices('cpu')[0]) or run under `with jax.default_device(jax.devices('cpu')[0]):`."
)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def info() -> dict[str, Any]:
    """A JSON-serialisable description of the machine, the library versions and JAX's devices.

    Keys: ``platform`` (system, machine, release), ``apple_silicon``, ``python``, ``versions`` (jax,
    jaxlib, flax, optax, chex, numpy, biojax), ``jax_platforms`` (the ``JAX_PLATFORMS`` setting),
    ``default_backend`` (``"cpu"``, ``"gpu"``, ``"tpu"``, ``"METAL"`` ...), ``devices`` (id, platform
    and kind of each device), ``plugins`` (installed accelerator plugins) and ``how_to_select``.

    Example:
        >>> import jax
        >>> description = info()
        >>> description["default_backend"] == jax.default_backend()
        True
        >>> len(description["devices"]) >= 1
        True
    """
    import jax

    from biojax._version import __version__

    devices = [
        {"id": int(d.id), "platform": str(d.platform), "kind": str(getattr(d, "device_kind", ""))}
        for d in jax.devices()
    ]
    plugins = {
        name: {"version": version, "platform": backend}
        for name, backend in ACCELERATOR_PLUGINS.items()
        if (version := _version(name)) is not None
    }
    return {
        "platform": {
            "system": platform.system(),
            "machine": platform.machine(),
            "release": platform.release(),
        },
        "apple_silicon": platform.system() == "Darwin" and platform.machine() == "arm64",
        "python": sys.version.split()[0],
        "versions": {
            "jax": jax.__version__,
            "jaxlib": _version("jaxlib"),
            "flax": _version("flax"),
            "optax": _version("optax"),
            "chex": _version("chex"),
            "numpy": _version("numpy"),
            "biojax": __version__,
        },
        "jax_platforms": os.environ.get("JAX_PLATFORMS", ""),
        "default_backend": jax.default_backend(),
        "devices": devices,
        "plugins": plugins,
        "how_to_select": HOW_TO_SELECT,
    }


def describe() -> str:
    """:func:`info` as a few human-readable lines.

    Example:
        >>> "default backend" in describe()
        True
    """
    data = info()
    devices = ", ".join(f"{d['platform']}:{d['id']} ({d['kind']})" for d in data["devices"])
    plugins = ", ".join(f"{name} {p['version']}" for name, p in data["plugins"].items()) or "none"
    versions = ", ".join(f"{name} {version}" for name, version in data["versions"].items())
    system = data["platform"]
    return "\n".join(
        [
            f"platform: {system['system']} {system['release']} ({system['machine']}), Python {data['python']}",
            f"versions: {versions}",
            f"default backend: {data['default_backend']} (JAX_PLATFORMS={data['jax_platforms'] or 'unset'})",
            f"devices: {devices}",
            f"accelerator plugins: {plugins}",
            f"select a device: {data['how_to_select']}",
        ]
    )
