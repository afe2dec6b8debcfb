"""Dale's principle: every unit is excitatory or inhibitory, so all its weights share one sign.

Signs are one per *output unit*, i.e. per entry of a kernel's last axis (Flax kernels are ``(in, out)``
for ``Dense`` and ``(..., in, out)`` for ``Conv``): all incoming weights of a unit share its sign, the same
layout as the anchor's ``[out, 1]`` sign for a torch ``Linear`` (for ``Conv2d`` the anchor uses one sign
per (out, in) channel pair; biojax uses one per output channel).

:func:`dale_init` makes params sign-consistent (``|w| * s``) and returns the sign tree;
:func:`dales_principle` projects every update so that after the step ``w = relu(w * s) * s``: weights
that would cross zero stop at 0, exactly the anchor's ``enforce_dales_principle``, which here runs
automatically as the last element of a chain (the anchor never calls it and does not expose it).
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax._validation import check_choice
from biojax.checks import check_traced, concrete_value
from biojax.learning._checks import check_hyperparameter
from biojax.learning.selection import kernel_mask


def _is_none(node: Any) -> bool:
    return node is None


def _paths(tree: Any) -> list[str]:
    return [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_none)[0]]


def check_signs(signs: Any) -> None:
    """Checks a sign tree: every leaf ``None`` or a real array of +1 and -1 (inside
    :func:`biojax.checks.checked` when traced).

    Example:
        >>> import jax.numpy as jnp
        >>> check_signs({"kernel": jnp.array([[1.0, 0.0]]), "bias": None})
        Traceback (most recent call last):
        ...
        ValueError: signs['kernel'] must hold only +1 and -1 (one sign per output unit), got 1 other value(s), e.g. 0.0
    """
    for path, s in jax.tree_util.tree_flatten_with_path(signs, is_leaf=_is_none)[0]:
        name = f"signs{jax.tree_util.keystr(path)}"
        if s is None:
            continue
        dtype = getattr(s, "dtype", None)
        if dtype is None or isinstance(s, bool) or not (
                jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.signedinteger)):
            raise TypeError(f"{name} must be None or a real array of +1/-1, got {s!r} ({type(s).__name__})")
        known = concrete_value(s)
        if known is None:
            check_traced(jnp.all(jnp.abs(s) == 1), f"{name} must hold only +1 and -1, got {{bad}} other value(s)",
                         bad=jnp.sum(jnp.abs(s) != 1))
        elif not np.all(np.abs(known) == 1):
            others = known[np.abs(known) != 1]
            raise ValueError(f"{name} must hold only +1 and -1 (one sign per output unit), got {others.size} other "
                             f"value(s), e.g. {float(others.flat[0])!r}")


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _check_structure(signs: Any, params: Any) -> None:
    sign_paths, param_paths = _paths(signs), _paths(params)
    if sign_paths != param_paths:
        missing = sorted(set(param_paths) - set(sign_paths))[:3]
        extra = sorted(set(sign_paths) - set(param_paths))[:3]
        raise ValueError(
            "signs must have the tree structure of the params (the sign tree of dale_init(params, key)); "
            f"params leaves without a sign: {missing}, signs without a param: {extra}"
        )
    for path, s, w in zip(sign_paths, jax.tree.leaves(signs, is_leaf=_is_none), jax.tree.leaves(params)):
        if s is not None and not _broadcasts(np.shape(s), np.shape(w)):
            raise ValueError(f"signs{path} of shape {np.shape(s)} does not broadcast to its param of shape {np.shape(w)}")


class DaleState(NamedTuple):
    """State of :func:`dales_principle` (empty: the signs are fixed at construction).

    Example:
        >>> dales_principle({}).init({})
        DaleState()
    """


def dale_init(
    params: Any, key: jax.Array, *, excitatory_fraction: Any = 0.5, mask: Any = "kernels"
) -> tuple[Any, Any]:
    """Draws one sign per output unit of every selected kernel and makes the kernel sign-consistent.

    Args:
        params: the parameter tree.
        key: PRNG key.
        excitatory_fraction: probability of a ``+1`` unit (the anchor's 0.5).
        mask: ``"kernels"`` (weight kernels), a boolean tree or a mask function selecting the constrained leaves.

    Returns:
        ``(params, signs)``: selected kernels replaced by ``|w| * s``; ``signs`` has the params' tree with a
        ``(1, ..., 1, units)`` array of +-1 for selected kernels and ``None`` elsewhere.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> params = {"kernel": jnp.ones((3, 4)), "bias": jnp.ones(4)}
        >>> params, signs = dale_init(params, jax.random.key(0))
        >>> signs["kernel"].shape, signs["bias"]
        ((1, 4), None)
        >>> bool(jnp.all(params["kernel"] * signs["kernel"] >= 0))
        True
    """
    check_hyperparameter("excitatory_fraction", excitatory_fraction, minimum=0.0, maximum=1.0)
    if isinstance(mask, str):
        check_choice("mask", mask, ("kernels",))
        mask = kernel_mask
    selected = mask(params) if callable(mask) else mask
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(key, max(len(leaves), 1))
    new_params, signs = [], []
    for w, k, chosen in zip(leaves, keys, jax.tree.leaves(selected)):
        if not chosen:
            new_params.append(w)
            signs.append(None)
            continue
        shape = (1,) * (w.ndim - 1) + w.shape[-1:]
        s = jnp.where(jax.random.uniform(k, shape) < excitatory_fraction, 1.0, -1.0).astype(w.dtype)
        new_params.append(jnp.abs(w) * s)
        signs.append(s)
    return jax.tree.unflatten(treedef, new_params), jax.tree.unflatten(treedef, signs)


def dales_principle(signs: Any) -> optax.GradientTransformationExtraArgs:
    """Projects updates so that ``params + updates == relu((params + u) * s) * s``.

    Must be the last element of a chain (anything after it could break the signs). Leaves whose sign is
    ``None`` pass through unchanged.

    Args:
        signs: the sign tree from :func:`dale_init` (checked by :func:`check_signs`; its structure and shapes
            are checked against the params at the first update, when tracing).

    Example:
        >>> import jax.numpy as jnp, optax
        >>> params = {"kernel": jnp.array([[0.5, -0.5]])}
        >>> signs = {"kernel": jnp.array([[1.0, -1.0]])}
        >>> opt = optax.chain(optax.sgd(1.0), dales_principle(signs))
        >>> grads = {"kernel": jnp.array([[1.0, 0.2]])}
        >>> updates, _ = opt.update(grads, opt.init(params), params)
        >>> optax.apply_updates(params, updates)["kernel"].tolist()
        [[0.0, -0.7]]
    """

    check_signs(signs)

    def init_fn(params):
        _check_structure(signs, params)
        return DaleState()

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        if params is None:
            raise ValueError("dales_principle needs params: call update(updates, state, params)")
        _check_structure(signs, params)

        def project(s, u, w):
            if s is None:
                return u
            new = w + u
            return (jax.nn.relu(new * s) * s - w).astype(u.dtype)

        return jax.tree.map(project, signs, updates, params, is_leaf=lambda x: x is None), state

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)
