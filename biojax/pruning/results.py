"""Results of a pruning cycle: a pytree (so it can leave ``jax.jit``/``jax.vmap``) that round-trips JSON."""

from __future__ import annotations

import json
from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import numpy as np


@flax.struct.dataclass
class CycleMetrics:
    """Loss, perplexity (``exp(loss)``) and accuracy of a model on the evaluation data.

    Example:
        >>> import jax.numpy as jnp
        >>> m = CycleMetrics(loss=jnp.array(0.0), perplexity=jnp.array(1.0), accuracy=jnp.array(1.0))
        >>> float(m.perplexity)
        1.0
    """

    loss: jax.Array
    perplexity: jax.Array
    accuracy: jax.Array


def _to_python(value: Any) -> Any:
    return np.asarray(value).tolist()


@flax.struct.dataclass
class PruningResults:
    """Everything :func:`run_pruning_cycle` measured.

    Attributes:
        baseline: metrics before pruning.
        pruned: metrics right after pruning.
        final: metrics after fine-tuning.
        prune_mask: bool ``[layers, heads]``, True for pruned heads.
        entropy: ``[layers, heads]`` normalised entropies used for scoring.
        importance: ``[layers, heads]`` importances used for scoring.
        train_loss: ``[steps]`` fine-tuning loss per step.
        eval_steps: ``[evals]`` steps after which the evaluation data was scored during fine-tuning.
        eval_loss: ``[evals]`` evaluation loss at those steps.
        perplexity_improvement: ``(ppl_baseline - ppl_final) / ppl_baseline``.
        recovery_rate: ``(ppl_pruned - ppl_final) / (ppl_pruned - ppl_baseline)`` when pruning raised
            perplexity (by more than a relative 1e-5), else 0.
        prune_fraction: the fraction of heads asked to be pruned.
        strategy: scoring strategy (static).
        mode: ``"compressed"`` or ``"adaptive"`` fine-tuning (static).

    With ``jax.vmap`` over fractions or seeds every array gains a leading axis; JSON keeps it.

    Example:
        >>> import jax.numpy as jnp
        >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.7), jnp.array(0.5))
        >>> r = PruningResults(m, m, m, jnp.array([[True, False]]), jnp.ones((1, 2)), jnp.ones((1, 2)),
        ...     jnp.zeros(3), jnp.array([3]), jnp.array([1.0]), jnp.array(0.0), jnp.array(0.0),
        ...     jnp.array(0.5), strategy="random", mode="compressed")
        >>> r.pruned_heads()
        [(0, 0)]
        >>> PruningResults.from_json(r.to_json()).pruned_heads()
        [(0, 0)]
    """

    baseline: CycleMetrics
    pruned: CycleMetrics
    final: CycleMetrics
    prune_mask: jax.Array
    entropy: jax.Array
    importance: jax.Array
    train_loss: jax.Array
    eval_steps: jax.Array
    eval_loss: jax.Array
    perplexity_improvement: jax.Array
    recovery_rate: jax.Array
    prune_fraction: jax.Array
    strategy: str = flax.struct.field(pytree_node=False, default="combined")
    mode: str = flax.struct.field(pytree_node=False, default="compressed")

    def pruned_heads(self) -> list[tuple[int, int]]:
        """``(layer, head)`` pairs of pruned heads (for an un-vmapped result).

        Example:
            >>> import jax.numpy as jnp
            >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.7), jnp.array(0.5))
            >>> z = jnp.zeros(())
            >>> PruningResults(m, m, m, jnp.array([[False, True]]), z, z, z, z, z, z, z, z).pruned_heads()
            [(0, 1)]
        """
        mask = np.asarray(self.prune_mask)
        if mask.ndim != 2:
            raise ValueError(f"pruned_heads needs a [layers, heads] prune_mask, got shape {mask.shape}")
        return [(int(layer), int(head)) for layer, head in np.argwhere(mask)]

    def to_dict(self) -> dict[str, Any]:
        """Plain Python lists, floats and strings (``json.dumps``-ready).

        Example:
            >>> import jax.numpy as jnp
            >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.5), jnp.array(0.5))
            >>> z = jnp.zeros(())
            >>> PruningResults(m, m, m, jnp.array([[True]]), z, z, z, z, z, z, z, z).to_dict()["baseline"]
            {'loss': 1.0, 'perplexity': 2.5, 'accuracy': 0.5}
        """
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, CycleMetrics):
                out[name] = {k: _to_python(getattr(value, k)) for k in ("loss", "perplexity", "accuracy")}
            elif isinstance(value, str):
                out[name] = value
            else:
                out[name] = _to_python(value)
        if np.asarray(self.prune_mask).ndim == 2:
            out["pruned_heads"] = [list(pair) for pair in self.pruned_heads()]
        return out

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`.

        Example:
            >>> import jax.numpy as jnp
            >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.5), jnp.array(0.5))
            >>> z = jnp.zeros(())
            >>> '"strategy": "combined"' in PruningResults(m, m, m, z, z, z, z, z, z, z, z, z).to_json()
            True
        """
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PruningResults:
        """Inverse of :meth:`to_dict` (arrays come back as ``jax.Array``).

        Example:
            >>> import jax.numpy as jnp
            >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.5), jnp.array(0.5))
            >>> z = jnp.zeros(())
            >>> r = PruningResults(m, m, m, jnp.array([[True]]), z, z, z, z, z, z, z, z)
            >>> PruningResults.from_dict(r.to_dict()).prune_mask.dtype
            dtype('bool')
        """
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = data[name]
            if name in ("baseline", "pruned", "final"):
                kwargs[name] = CycleMetrics(**{k: jnp.asarray(v) for k, v in value.items()})
            elif name in ("strategy", "mode"):
                kwargs[name] = value
            elif name == "prune_mask":
                kwargs[name] = jnp.asarray(value, dtype=bool)
            elif name == "eval_steps":
                kwargs[name] = jnp.asarray(value, dtype=jnp.int32)
            else:
                kwargs[name] = jnp.asarray(value, dtype=jnp.float32)
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> PruningResults:
        """Inverse of :meth:`to_json`.

        Example:
            >>> import jax.numpy as jnp
            >>> m = CycleMetrics(jnp.array(1.0), jnp.array(2.5), jnp.array(0.5))
            >>> z = jnp.zeros(())
            >>> r = PruningResults(m, m, m, z, z, z, z, z, z, z, z, z, strategy="entropy")
            >>> PruningResults.from_json(r.to_json()).strategy
            'entropy'
        """
        return cls.from_dict(json.loads(text))
