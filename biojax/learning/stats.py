"""``stats``: what the bio rules have done so far, read from an optimizer state.

It finds every fuzzy-LR, crystallization and rejuvenation state anywhere inside an Optax state (chains,
``optax.masked``, ``inject_hyperparams``, :func:`~biojax.learning.bio_chain`) and summarises it, so the
anchor's monitoring figure (crystallized weights, rejuvenated weights, learning-rate variability) can be
drawn. Everything is a JAX scalar, so ``stats`` can run inside ``jax.jit``.
"""

from typing import Any

import jax
import jax.numpy as jnp

from biojax.learning.crystallize import CrystallizeState
from biojax.learning.fuzzy_learning_rates import FuzzyLRState
from biojax.learning.rejuvenate import RejuvenateState
from biojax.learning.selection import path_name

_RULE_STATES = (FuzzyLRState, CrystallizeState, RejuvenateState)


def _find(state: Any, found: list) -> None:
    if isinstance(state, _RULE_STATES):
        found.append(state)
    elif isinstance(state, (tuple, list)):
        for item in state:
            _find(item, found)
    elif isinstance(state, dict):
        for item in state.values():
            _find(item, found)


def _per_leaf(tree: Any) -> list[tuple[str, jax.Array]]:
    return [(path_name(p), leaf) for p, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]]


def stats(opt_state: Any) -> dict[str, jax.Array]:
    """Summary of the rules' states: totals plus per-leaf values.

    Keys (present when the rule is in the state):
        ``crystallized``: weights whose crystallization factor is below 1 (dampened at least once);
        ``crystallize/<leaf>/count`` and ``.../mean``.
        ``rejuvenated``: weights replaced by the last update; ``rejuvenate/<leaf>``.
        ``fuzzy_std``, ``fuzzy_mean``: spread and mean of all fuzzy factors together;
        ``fuzzy/<leaf>/mean`` and ``.../std``.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.learning import BioConfig, bio_optimizer
        >>> params = {"Dense_0": {"kernel": jnp.ones((4, 3))}}
        >>> opt = bio_optimizer(BioConfig(), key=jax.random.key(0))
        >>> sorted(k for k in stats(opt.init(params)) if "/" not in k)
        ['crystallized', 'fuzzy_mean', 'fuzzy_std', 'rejuvenated']
    """
    found: list = []
    _find(opt_state, found)
    out: dict[str, jax.Array] = {}
    fuzzy_leaves, crystal_total, rejuvenated_total = [], [], []
    for state in found:
        if isinstance(state, FuzzyLRState):
            for name, f in _per_leaf(state.factors):
                out[f"fuzzy/{name}/mean"] = jnp.mean(f)
                out[f"fuzzy/{name}/std"] = jnp.std(f)
                fuzzy_leaves.append(f.reshape(-1))
        elif isinstance(state, CrystallizeState):
            for name, f in _per_leaf(state.factors):
                count = jnp.sum(f < 1.0, dtype=jnp.int32)
                out[f"crystallize/{name}/count"] = count
                out[f"crystallize/{name}/mean"] = jnp.mean(f)
                crystal_total.append(count)
        elif isinstance(state, RejuvenateState):
            for name, n in _per_leaf(state.replaced):
                out[f"rejuvenate/{name}"] = n
                rejuvenated_total.append(n)
    if fuzzy_leaves:
        pooled = jnp.concatenate(fuzzy_leaves)
        out["fuzzy_mean"], out["fuzzy_std"] = jnp.mean(pooled), jnp.std(pooled)
    if any(isinstance(s, CrystallizeState) for s in found):
        out["crystallized"] = sum(crystal_total, jnp.zeros([], jnp.int32))
    if any(isinstance(s, RejuvenateState) for s in found):
        out["rejuvenated"] = sum(rejuvenated_total, jnp.zeros([], jnp.int32))
    return out
