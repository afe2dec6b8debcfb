"""apply_head_mask, update masks for compressed/adaptive fine-tuning, and plain Flax attention."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.nn import HeadMaskTransformer
from biojax.pruning import apply_head_mask, attention_out_paths, head_update_mask, mask_head_updates

MODEL = HeadMaskTransformer(vocab_size=6, num_layers=3, num_heads=4, d_model=16, mlp_dim=8)
TOKENS = jax.random.randint(jax.random.key(0), (2, 5), 0, 6)
PARAMS = MODEL.init(jax.random.key(1), TOKENS)["params"]
PRUNE = jnp.zeros((3, 4), bool).at[0, 1].set(True).at[2, 0].set(True).at[2, 3].set(True)


def leaves_with_paths(tree):
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def test_zero_weights_zeroes_only_the_pruned_output_slices():
    pruned, head_mask = apply_head_mask(PARAMS, PRUNE)
    np.testing.assert_array_equal(head_mask, np.ones((3, 4)))
    before, after = leaves_with_paths(PARAMS), leaves_with_paths(pruned)
    assert before.keys() == after.keys()
    for name, value in before.items():
        if name.endswith("['out']['kernel']"):
            layer = int(name.split("block_")[1][0])
            for head in range(4):
                if PRUNE[layer, head]:
                    assert np.all(after[name][head] == 0)
                else:
                    assert np.array_equal(after[name][head], value[head])  # bit-identical
        else:
            assert np.array_equal(after[name], value), name  # output bias included
    assert sum(np.count_nonzero(v == 0) - np.count_nonzero(before[k] == 0) for k, v in after.items()) == (
        3 * 4 * 16
    )


def test_mask_mode_keeps_params_and_gives_the_same_outputs_as_zero_weights():
    same, head_mask = apply_head_mask(PARAMS, PRUNE, mode="mask")
    assert all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(same), jax.tree.leaves(PARAMS)))
    np.testing.assert_array_equal(head_mask, 1.0 - np.asarray(PRUNE, np.float32))
    zeroed, ones = apply_head_mask(PARAMS, PRUNE)
    by_mask = MODEL.apply({"params": same}, TOKENS, head_mask)
    by_weights = MODEL.apply({"params": zeroed}, TOKENS, ones)
    np.testing.assert_allclose(by_mask, by_weights, atol=1e-5)
    assert not np.allclose(by_mask, MODEL.apply({"params": PARAMS}, TOKENS), atol=1e-3)


def test_out_paths_are_in_numeric_layer_order():
    params = {f"block_{i}": {"attention": {"out": {"kernel": jnp.zeros((2, 1, 3))}}} for i in (10, 2, 1)}
    assert [p[0] for p in attention_out_paths(params)] == ["block_1", "block_2", "block_10"]


def test_shape_and_mode_errors():
    with pytest.raises(ValueError, match=r"prune_mask must have shape \[layers, heads\] = \(3, 4\)"):
        apply_head_mask(PARAMS, jnp.zeros((4, 3), bool))
    with pytest.raises(ValueError, match="mode must be one of"):
        apply_head_mask(PARAMS, PRUNE, mode="gate")
    with pytest.raises(ValueError, match="mode must be one of 'compressed', 'adaptive'"):
        head_update_mask(PARAMS, PRUNE, "permanent")
    with pytest.raises(ValueError, match="no attention output kernel"):
        apply_head_mask({"w": jnp.ones((2, 2))}, jnp.zeros((1, 2), bool))


@jax.jit
def fine_tune(update_mask):
    params, head_mask = apply_head_mask(PARAMS, PRUNE)
    optimizer = optax.chain(optax.adamw(1e-2, weight_decay=0.1), mask_head_updates(update_mask))

    def step(carry, _):
        params, state = carry
        loss = lambda p: jnp.mean(MODEL.apply({"params": p}, TOKENS, head_mask) ** 2)  # noqa: E731
        updates, state = optimizer.update(jax.grad(loss)(params), state, params)
        return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, optimizer.init(params)), length=5)
    return params


def test_compressed_fine_tuning_keeps_pruned_heads_exactly_zero_and_adaptive_regrows_them():
    zeroed, _ = apply_head_mask(PARAMS, PRUNE)
    compressed = fine_tune(head_update_mask(zeroed, PRUNE, "compressed"))
    adaptive = fine_tune(head_update_mask(zeroed, PRUNE, "adaptive"))
    for layer in range(3):
        kept = ~np.asarray(PRUNE[layer])
        c_kernel = np.asarray(compressed[f"block_{layer}"]["attention"]["out"]["kernel"])
        a_kernel = np.asarray(adaptive[f"block_{layer}"]["attention"]["out"]["kernel"])
        original = np.asarray(PARAMS[f"block_{layer}"]["attention"]["out"]["kernel"])
        assert np.all(c_kernel[~kept] == 0.0)
        assert not np.allclose(c_kernel[kept], original[kept])  # the rest did train
        if (~kept).any():
            assert np.any(a_kernel[~kept] != 0.0)


def test_pruning_a_plain_flax_multi_head_attention_through_its_params():
    class Encoder(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.MultiHeadDotProductAttention(num_heads=4, qkv_features=8, name="attention")(x)

    model = Encoder()
    x = jax.random.normal(jax.random.key(2), (2, 5, 8))
    params = model.init(jax.random.key(3), x)["params"]
    assert attention_out_paths(params) == (("attention", "out", "kernel"),)
    prune = jnp.array([[False, True, False, True]])
    pruned, _ = apply_head_mask(params, prune)
    y = model.apply({"params": pruned}, x)

    def perturb_value(head):
        kernel = pruned["attention"]["value"]["kernel"]
        value = {**pruned["attention"]["value"], "kernel": kernel.at[:, head].add(1.0)}
        return {"attention": {**pruned["attention"], "value": value}}

    # A pruned head no longer influences the output; a kept head still does.
    np.testing.assert_array_equal(model.apply({"params": perturb_value(1)}, x), y)
    assert not np.allclose(model.apply({"params": perturb_value(0)}, x), y)
    np.testing.assert_array_equal(pruned["attention"]["out"]["bias"], params["attention"]["out"]["bias"])
