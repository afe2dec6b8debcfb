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
import optax

from biojax._validation import check_choice
from biojax.learning._checks import check_hyperparameter
from biojax.learning.selection import kernel_mask


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
        signs: the sign tree from :func:`dale_init`.

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

    def init_fn(params):
        del params
        return DaleState()

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        if params is None:
            raise ValueError("dales_principle needs params: call update(updates, state, params)")

        def project(s, u, w):
            if s is None:
                return u
            new = w + u
            return (jax.nn.relu(new * s) * s - w).astype(u.dtype)

        return jax.tree.map(project, signs, updates, params, is_leaf=lambda x: x is None), state

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)
