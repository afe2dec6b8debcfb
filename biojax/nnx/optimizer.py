"""``nnx.Optimizer`` over any Optax transformation, biojax's path-selecting learning rules included.

``nnx.Optimizer`` hands its transformation NNX ``State`` trees (of variables at ``init``, of arrays at
``update``). Rules that select leaves by their path (:func:`biojax.learning.kernel_mask`) or that hold a
tree of their own (Dale's ``signs`` from :func:`biojax.learning.dale_init`, a plain dict) need the plain
nested dicts of Linen params: :func:`on_pure_dicts` converts on the way in and back on the way out.
"""

from typing import Any

import jax
import optax
from flax import nnx


def _pure(tree: Any) -> Any:
    return nnx.to_pure_dict(tree) if isinstance(tree, nnx.State) else tree


def _key(entry: Any) -> Any:
    return getattr(entry, "key", getattr(entry, "idx", None))


def _like(template: Any, tree: Any) -> Any:
    """``tree`` (plain dicts) rearranged into the structure of ``template`` (an NNX ``State``)."""
    if not isinstance(template, nnx.State):
        return tree

    def lookup(path: tuple, _: Any) -> Any:
        node = tree
        for entry in path:
            if isinstance(entry, jax.tree_util.GetAttrKey):
                continue
            node = node[_key(entry)]
        return node

    return jax.tree_util.tree_map_with_path(lookup, template)


def on_pure_dicts(tx: optax.GradientTransformation) -> optax.GradientTransformationExtraArgs:
    """``tx`` applied to plain nested dicts when it is given NNX ``State`` trees.

    ``init`` and ``update`` convert ``State`` arguments with ``nnx.to_pure_dict``; the updates come back
    in the structure of the ``State`` given. Other trees pass through unchanged, so the result also
    works on Linen params.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from flax import nnx
        >>> from biojax.learning import crystallize
        >>> tx = on_pure_dicts(optax.chain(optax.sgd(0.1), crystallize(threshold=1e-3, dampening=0.5)))
        >>> params = nnx.State({"Dense_0": {"kernel": jnp.ones((2, 2)), "bias": jnp.ones(2)}})
        >>> grads = jax.tree.map(lambda p: 1e-4 * p, params)
        >>> updates, _ = tx.update(grads, tx.init(params), params)
        >>> float(updates["Dense_0"]["kernel"][0, 0]), float(updates["Dense_0"]["bias"][0])  # kernels only
        (-5e-06, -1e-05)
    """
    if not isinstance(tx, optax.GradientTransformation):
        raise TypeError(f"tx must be an optax.GradientTransformation, got {type(tx).__name__}")
    inner = optax.with_extra_args_support(tx)

    def init_fn(params: Any) -> Any:
        return inner.init(_pure(params))

    def update_fn(updates: Any, state: Any, params: Any = None, **extra_args: Any) -> tuple[Any, Any]:
        new_updates, state = inner.update(_pure(updates), state, _pure(params), **extra_args)
        return _like(updates, new_updates), state

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def optimizer(model: nnx.Module, tx: optax.GradientTransformation, *, wrt: Any = nnx.Param) -> nnx.Optimizer:
    """``nnx.Optimizer(model, on_pure_dicts(tx), wrt=wrt)``: trains the ``wrt`` variables of ``model``.

    Use it with any Optax transformation, e.g. :func:`biojax.learning.bio_optimizer`; call
    ``opt.update(model, grads)`` with the gradients of ``nnx.grad`` (same ``wrt``). Non-``Param``
    variables such as :class:`Connectivity` are never updated.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> from flax import nnx
        >>> from biojax.nn import MultiSynapticDense
        >>> from biojax.nnx import to_nnx
        >>> x = jnp.ones((2, 3))
        >>> model = to_nnx(MultiSynapticDense(4, gamma=2), x, rngs=nnx.Rngs(0))
        >>> opt = optimizer(model, optax.sgd(0.1))
        >>> loss = lambda m: jnp.mean(m(x) ** 2)
        >>> before = float(loss(model))
        >>> _ = opt.update(model, nnx.grad(loss)(model))
        >>> float(loss(model)) < before
        True
    """
    if not isinstance(model, nnx.Module):
        raise TypeError(f"model must be a flax.nnx.Module, got {type(model).__name__}")
    return nnx.Optimizer(model, on_pure_dicts(tx), wrt=wrt)
