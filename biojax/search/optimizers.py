"""The optimizer of a trial as a factory of traced settings: AdamW, AdamW with warm-up, cosine decay and
clipping, or AdamW followed by bio rules.

``config["optimizer"]`` selects one (default ``"adamw"``). Its numbers (learning rate, weight decay,
fuzzy ``nu``, rejuvenation ``dre``, crystallization thresholds, volume-LR ``base_lr`` ...) are traced, so
trials that differ only in them share a compiled bucket; its structure (which rules, Dale's principle,
the fuzzy distribution) is static.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import jax
import jax.numpy as jnp
import optax

from biojax.learning import ALL_RULES, PAPER_RULES, BioConfig, bio_optimizer, dale_init
from biojax.learning.fuzzy_learning_rates import Distribution
from biojax.search.search_space import (
    SearchSpace,
    Setting,
    boolean,
    fraction,
    non_negative_finite,
    one_of,
    positive_finite,
)


@runtime_checkable
class TrialOptimizer(Protocol):
    """What a trial's training needs of its optimizer.

    Attributes:
        name: the value of ``config["optimizer"]`` that selects it.
        space: its settings.

    Methods:
        prepare(config, hparams, params, key): the initial params (e.g. made sign-consistent for Dale's
            principle), called once per trial.
        build(config, hparams, params, key): the Optax transformation of one trial, from the bucket's static
            ``config``, the trial's traced ``hparams`` (arrays) and its key; deterministic, so it may be built
            again in every epoch.

    Example:
        >>> isinstance(AdamW(), TrialOptimizer), isinstance(BioRules(), TrialOptimizer)
        (True, True)
    """

    name: str
    space: SearchSpace

    def prepare(self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array) -> Any: ...

    def build(
        self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array
    ) -> optax.GradientTransformation: ...


ADAMW_SPACE = SearchSpace(
    Setting("lr", 5e-4, traced=True, check=positive_finite),
    Setting("weight_decay", 0.01, traced=True, check=non_negative_finite),
)


class AdamW:
    """``optax.adamw(lr, weight_decay=weight_decay)``: decoupled, lr-scaled decay on every tensor, as the seed.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> opt = AdamW().build({}, {"lr": jnp.float32(0.1), "weight_decay": jnp.float32(0.0)}, None, None)
        >>> updates, _ = opt.update({"w": jnp.ones(2)}, opt.init({"w": jnp.ones(2)}), {"w": jnp.ones(2)})
        >>> updates["w"].round(3).tolist()
        [-0.1, -0.1]
    """

    name = "adamw"
    space = ADAMW_SPACE

    def prepare(self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array) -> Any:
        """The params unchanged."""
        return params

    def build(
        self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array
    ) -> optax.GradientTransformation:
        """AdamW with the trial's learning rate and weight decay."""
        return optax.adamw(hparams["lr"], weight_decay=hparams["weight_decay"])


COSINE_SPACE = ADAMW_SPACE | SearchSpace(
    Setting("warmup_fraction", 0.05, traced=True, check=fraction),
    Setting("end_lr_fraction", 0.1, traced=True, check=fraction),
    Setting("clip_norm", 1.0, traced=True, check=positive_finite),
)


def warmup_cosine(peak: Any, total_steps: int, warmup_fraction: Any, end_fraction: Any) -> optax.Schedule:
    """Linear warm-up from 0 to ``peak`` over ``warmup_fraction`` of ``total_steps``, then cosine decay to
    ``end_fraction * peak``; every number may be traced (optax's schedules check their step counts in Python).

    Example:
        >>> schedule = warmup_cosine(1.0, 100, 0.1, 0.0)
        >>> [round(float(schedule(s)), 3) for s in (0, 5, 10, 55, 100)]
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    warmup = jnp.asarray(warmup_fraction, jnp.float32) * total_steps

    def schedule(step: Any) -> jax.Array:
        step = jnp.asarray(step, jnp.float32)
        rising = step / jnp.maximum(warmup, 1.0)
        progress = jnp.clip((step - warmup) / jnp.maximum(total_steps - warmup, 1.0), 0.0, 1.0)
        falling = end_fraction + (1.0 - end_fraction) * 0.5 * (1.0 + jnp.cos(jnp.pi * progress))
        return peak * jnp.where(step < warmup, rising, falling)

    return schedule


class AdamWCosine:
    """Global-norm clipping, then AdamW with :func:`warmup_cosine` over the whole run, every number traced.

    The run's length (``total_steps`` in the static config, set by the search engine from epochs, batch size
    and training rows) is static; ``lr`` (the peak), ``warmup_fraction``, ``end_lr_fraction``,
    ``weight_decay`` and ``clip_norm`` are traced.

    Example:
        >>> import jax.numpy as jnp
        >>> hp = {name: jnp.float32(v) for name, v in AdamWCosine().space.resolve({}).items()}
        >>> opt = AdamWCosine().build({"total_steps": 100}, hp, None, None)
        >>> params = {"w": jnp.ones(2)}
        >>> updates, _ = opt.update({"w": jnp.ones(2)}, opt.init(params), params)
        >>> float(updates["w"][0])  # step 0 of the warm-up: learning rate 0
        -0.0
    """

    name = "cosine"
    space = COSINE_SPACE

    def prepare(self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array) -> Any:
        """The params unchanged."""
        return params

    def build(
        self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array
    ) -> optax.GradientTransformation:
        """Clipping and AdamW with the trial's schedule."""
        schedule = warmup_cosine(hparams["lr"], config["total_steps"], hparams["warmup_fraction"],
                                 hparams["end_lr_fraction"])
        return optax.chain(optax.clip_by_global_norm(hparams["clip_norm"]),
                           optax.adamw(schedule, weight_decay=hparams["weight_decay"]))


RULE_SETS = {"paper": PAPER_RULES, "all": ALL_RULES, **{rule: (rule,) for rule in ALL_RULES}}

_DEFAULTS = BioConfig()
BIO_SPACE = ADAMW_SPACE | SearchSpace(
    Setting("bio_rules", "paper", check=one_of(RULE_SETS)),
    Setting("dales_principle", False, check=boolean),
    Setting("fuzzy_lr_distribution", _DEFAULTS.fuzzy_lr_distribution.value,
            check=one_of(d.value for d in Distribution)),
    Setting("fuzzy_learning_rate_factor_nu", _DEFAULTS.fuzzy_learning_rate_factor_nu, traced=True,
            check=positive_finite),
    Setting("fuzzy_lr_min", _DEFAULTS.fuzzy_lr_min, traced=True, check=non_negative_finite),
    Setting("fuzzy_lr_max", _DEFAULTS.fuzzy_lr_max, traced=True, check=non_negative_finite),
    Setting("rejuvenation_parameter_dre", _DEFAULTS.rejuvenation_parameter_dre, traced=True, check=positive_finite),
    Setting("crystal_thresh", _DEFAULTS.crystal_thresh, traced=True, check=positive_finite),
    Setting("dampening_factor", _DEFAULTS.dampening_factor, traced=True, check=fraction),
    Setting("base_lr", _DEFAULTS.base_lr, traced=True, check=fraction),
    Setting("stability_factor", _DEFAULTS.stability_factor, traced=True, check=positive_finite),
    Setting("lr_variability", _DEFAULTS.lr_variability, traced=True, check=positive_finite),
)
_TRACED_BIO_FIELDS = ("fuzzy_learning_rate_factor_nu", "fuzzy_lr_min", "fuzzy_lr_max", "rejuvenation_parameter_dre",
                      "crystal_thresh", "dampening_factor", "base_lr", "stability_factor", "lr_variability")


class BioRules:
    """AdamW followed by the bio-inspired rules of :func:`biojax.learning.bio_optimizer`.

    ``bio_rules`` picks the rules (``"paper"``: fuzzy learning rates and rejuvenation, ``"all"``: the four
    rules, or one rule by name); ``dales_principle`` adds Dale's sign constraint (params made
    sign-consistent at init, one sign per output unit); every number of :class:`~biojax.learning.BioConfig`
    that the chosen rules read is a traced setting.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> bio = BioRules()
        >>> config = bio.space.resolve({})
        >>> hparams = {k: jnp.asarray(v, jnp.float32) for k, v in config.items() if bio.space.is_traced(k)}
        >>> params = {"Dense_0": {"kernel": jnp.ones((3, 2)), "bias": jnp.zeros(2)}}
        >>> opt = bio.build(config, hparams, params, jax.random.key(0))
        >>> updates, _ = opt.update(params, opt.init(params), params)
        >>> updates["Dense_0"]["kernel"].shape
        (3, 2)
    """

    name = "bio"
    space = BIO_SPACE

    @staticmethod
    def _keys(key: jax.Array) -> tuple[jax.Array, jax.Array]:
        return tuple(jax.random.split(key))

    def prepare(self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array) -> Any:
        """With Dale's principle, kernels made sign-consistent (:func:`~biojax.learning.dale_init`)."""
        if not config.get("dales_principle", False):
            return params
        return dale_init(params, self._keys(key)[0])[0]

    def build(
        self, config: Mapping[str, Any], hparams: Mapping[str, Any], params: Any, key: jax.Array
    ) -> optax.GradientTransformation:
        """``bio_optimizer`` over AdamW with the trial's numbers (signs recomputed from the same key)."""
        dale_key, rules_key = self._keys(key)
        dale = bool(config.get("dales_principle", False))
        bio_config = BioConfig(
            apply_dales_principle=dale,
            fuzzy_lr_distribution=config.get("fuzzy_lr_distribution", _DEFAULTS.fuzzy_lr_distribution.value),
            **{name: hparams[name] for name in _TRACED_BIO_FIELDS},
        )
        signs = dale_init(params, dale_key)[1] if dale else None
        base = optax.adamw(hparams["lr"], weight_decay=hparams["weight_decay"])
        return bio_optimizer(bio_config, base, key=rules_key, rules=RULE_SETS[config.get("bio_rules", "paper")],
                             signs=signs)


OPTIMIZERS: dict[str, TrialOptimizer] = {"adamw": AdamW(), "cosine": AdamWCosine(), "bio": BioRules()}


def get_optimizer(name: Any) -> TrialOptimizer:
    """The trial optimizer called ``name`` (``"adamw"``, ``"cosine"`` or ``"bio"``).

    Example:
        >>> get_optimizer("bio").name
        'bio'
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(repr(n) for n in OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name]
