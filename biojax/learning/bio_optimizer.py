"""``bio_optimizer``: one Optax transformation with the base optimizer and the rules of a ``BioConfig``.

Order: the base optimizer's update first, then ``volume_dependent_lr``, ``fuzzy_learning_rates``,
``crystallize`` and ``rejuvenate`` on that update (after Adam's scaling, where a per-weight factor is not
cancelled), and Dale's projection last. Every rule receives the raw gradients as ``grads=`` so that
``crystallize`` tests the anchor's criterion on gradients, not on the (learning-rate scaled) update.
This mirrors the anchor's README call order (volume, fuzzy, crystallize, step, rejuvenate, Dale).
Weight splitting (``weight_splitting_Gamma``) changes the forward pass: use
:class:`biojax.nn.MultiSynapticDense` in the model.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import optax

from biojax._validation import check_choice
from biojax.learning.bio_config import BioConfig
from biojax.learning.crystallize import crystallize
from biojax.learning.dales_principle import dales_principle
from biojax.learning.fuzzy_learning_rates import fuzzy_learning_rates
from biojax.learning.rejuvenate import rejuvenate
from biojax.learning.selection import kernel_mask
from biojax.learning.volume_dependent_lr import volume_dependent_lr

ALL_RULES = ("volume_dependent_lr", "fuzzy_learning_rates", "crystallize", "rejuvenate")
PAPER_RULES = ("fuzzy_learning_rates", "rejuvenate")


class BioChainState(NamedTuple):
    """State of :func:`bio_chain`: the base optimizer's state and one state per rule.

    Example:
        >>> import optax
        >>> state = bio_chain(optax.sgd(0.1), crystallize()).init({})
        >>> len(state.rules)
        1
    """

    base: Any
    rules: tuple


def bio_chain(base: optax.GradientTransformation, *rules: optax.GradientTransformation):
    """Like ``optax.chain(base, *rules)``, but every rule also gets the raw gradients as ``grads=``.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> opt = bio_chain(optax.sgd(0.1), crystallize(threshold=1e-3, dampening=0.5))
        >>> params = {"kernel": jnp.ones((1, 2))}
        >>> grads = {"kernel": jnp.array([[1e-4, 0.1]])}
        >>> updates, _ = opt.update(grads, opt.init(params), params)
        >>> updates["kernel"].tolist()
        [[-5e-06, -0.01]]
    """
    base = optax.with_extra_args_support(base)
    rules = tuple(optax.with_extra_args_support(r) for r in rules)

    def init_fn(params):
        return BioChainState(base.init(params), tuple(r.init(params) for r in rules))

    def update_fn(grads, state, params=None, **extra_args):
        updates, base_state = base.update(grads, state.base, params, **extra_args)
        rule_states = []
        for rule, rule_state in zip(rules, state.rules):
            updates, rule_state = rule.update(updates, rule_state, params, grads=grads, **extra_args)
            rule_states.append(rule_state)
        return updates, BioChainState(base_state, tuple(rule_states))

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def bio_optimizer(
    config: BioConfig,
    base: optax.GradientTransformation = optax.sgd(1e-3),
    *,
    key: jax.Array,
    rules: Sequence[str] = ALL_RULES,
    exclude: Sequence[str] = (),
    exclude_last: bool = False,
    signs: Any = None,
    rejuvenate_every: Any = 1,
) -> optax.GradientTransformationExtraArgs:
    """Builds the base optimizer followed by the selected bio rules, configured by ``config``.

    Args:
        config: the :class:`BioConfig` (numeric fields may be traced arrays).
        base: the optimizer whose update the rules act on (default: the paper's ``optax.sgd(1e-3)``).
        key: PRNG key, split among the random rules.
        rules: which of :data:`ALL_RULES` to use (the anchor's README loop calls all four; the paper's runs
            use :data:`PAPER_RULES`). Their order in the chain is always that of :data:`ALL_RULES`.
        exclude: module names the rules leave alone.
        exclude_last: leave the last layer alone (the anchor's "last module token").
        signs: sign tree from :func:`~biojax.learning.dale_init`; required when
            ``config.apply_dales_principle``.
        rejuvenate_every: apply rejuvenation every this many steps (paper: every step).

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> params = {"Dense_0": {"kernel": jnp.ones((4, 3)), "bias": jnp.zeros(3)}}
        >>> opt = bio_optimizer(BioConfig(), optax.adam(1e-3), key=jax.random.key(0))
        >>> updates, state = opt.update(params, opt.init(params), params)
        >>> updates["Dense_0"]["bias"].shape
        (3,)
    """
    if not isinstance(config, BioConfig):
        raise TypeError(f"config must be a BioConfig, got {type(config).__name__}")
    if isinstance(rules, str):
        rules = (rules,)
    for rule in rules:
        check_choice("rules", rule, ALL_RULES)
    if config.apply_dales_principle and signs is None:
        raise ValueError(
            "apply_dales_principle=True needs signs=...: get them from biojax.learning.dale_init(params, key)"
        )
    mask = kernel_mask(exclude=exclude, exclude_last=exclude_last)
    keys = dict(zip(ALL_RULES, jax.random.split(key, len(ALL_RULES))))
    builders = {
        "volume_dependent_lr": lambda: volume_dependent_lr(
            config.base_lr, config.stability_factor, config.lr_variability, key=keys["volume_dependent_lr"], mask=mask
        ),
        "fuzzy_learning_rates": lambda: fuzzy_learning_rates(
            config.fuzzy_lr_distribution.value,
            config.fuzzy_learning_rate_factor_nu,
            config.fuzzy_lr_min,
            config.fuzzy_lr_max,
            config.fuzzy_lr_dynamic,
            config.fuzzy_lr_update_freq,
            config.fuzzy_lr_decay,
            key=keys["fuzzy_learning_rates"],
            mask=mask,
        ),
        "crystallize": lambda: crystallize(config.crystal_thresh, config.dampening_factor, mask=mask),
        "rejuvenate": lambda: rejuvenate(
            config.rejuvenation_parameter_dre, rejuvenate_every, key=keys["rejuvenate"], mask=mask
        ),
    }
    chain = [builders[name]() for name in ALL_RULES if name in rules]
    if config.apply_dales_principle:
        chain.append(dales_principle(signs))
    return bio_chain(base, *chain)
