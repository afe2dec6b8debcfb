"""Density schedules for gradual pruning: start dense, sparsify step by step (Zhu & Gupta, 2017)."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp

from biojax._validation import check_choice, check_int, check_number

SCHEDULE_KINDS = ("polynomial", "linear", "cosine")


def _is_concrete(value: Any) -> bool:
    return not isinstance(value, jax.core.Tracer)


@dataclasses.dataclass(frozen=True)
class SparsitySchedule:
    """Density as a function of the step: ``initial_density`` until ``begin_step``, ``final_density``
    from ``end_step`` on, and in between

    - ``"polynomial"``: ``final + (initial - final) * (1 - progress) ** power`` (Zhu & Gupta's
      gradual pruning uses ``power=3``: prune fast while the network is redundant, slowly at the end),
    - ``"linear"``: the same with ``power=1``,
    - ``"cosine"``: ``final + (initial - final) * (1 + cos(pi * progress)) / 2``,

    where ``progress = (step - begin_step) / (end_step - begin_step)``. Densities may be traced
    values (so a sweep over them under ``jax.vmap`` does not recompile); they are checked when they
    are plain numbers. Call it with a step to get the density (a JAX scalar).

    Example:
        >>> schedule = SparsitySchedule(1.0, 0.1, begin_step=0, end_step=100)
        >>> [round(float(schedule(t)), 4) for t in (0, 50, 100, 200)]
        [1.0, 0.2125, 0.1, 0.1]
    """

    initial_density: Any
    final_density: Any
    begin_step: int
    end_step: int
    kind: str = "polynomial"
    power: float = 3.0

    def __post_init__(self) -> None:
        for name in ("initial_density", "final_density"):
            value = getattr(self, name)
            if _is_concrete(value) and not isinstance(value, jax.Array):
                check_number(name, value, minimum=0.0, maximum=1.0)
        check_int("begin_step", self.begin_step, minimum=0)
        check_int("end_step", self.end_step, minimum=self.begin_step + 1)
        check_choice("kind", self.kind, SCHEDULE_KINDS)
        check_number("power", self.power, minimum=0.0, min_inclusive=False)

    def __call__(self, step: Any) -> jax.Array:
        span = self.end_step - self.begin_step
        progress = jnp.clip((jnp.asarray(step, jnp.float32) - self.begin_step) / span, 0.0, 1.0)
        if self.kind == "cosine":
            remaining = 0.5 * (1.0 + jnp.cos(jnp.pi * progress))
        else:
            remaining = (1.0 - progress) ** (1.0 if self.kind == "linear" else self.power)
        return self.final_density + (self.initial_density - self.final_density) * remaining


def sparsity_schedule(
    initial_density: Any,
    final_density: Any,
    begin_step: int,
    end_step: int,
    kind: str = "polynomial",
    *,
    power: float = 3.0,
) -> SparsitySchedule:
    """A :class:`SparsitySchedule` (density per step) for :func:`gradual_pruning`.

    Example:
        >>> schedule = sparsity_schedule(1.0, 0.25, begin_step=10, end_step=20, kind="linear")
        >>> [float(schedule(t)) for t in (0, 15, 30)]
        [1.0, 0.625, 0.25]
    """
    return SparsitySchedule(initial_density, final_density, begin_step, end_step, kind, power)
