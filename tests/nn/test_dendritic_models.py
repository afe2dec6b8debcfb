"""Architectures, exact parameter counts, the closed-form formulas and the MLP baseline."""

import jax
import jax.numpy as jnp
import pytest

from biojax.nn import count_params, dendritic_simple, dendritic_with_hidden, mlp_for_budget, param_formula, soma_disabled
from biojax.nn.dendritic_models import mlp_param_count


@pytest.mark.parametrize("n_neurons, n_dendrites, k, soma", [(10, 6, 128, True), (12, 6, 96, True),
                                                             (5, 7, 16, False)])
def test_dendritic_simple_counts(n_neurons, n_dendrites, k, soma):
    model = dendritic_simple(10, n_neurons=n_neurons, n_dendrites=n_dendrites, n_dendrite_inputs=k,
                             soma_enabled=soma)
    expected = param_formula("dendritic_simple", n_classes=10, n_neurons=n_neurons,
                             n_dendrites=n_dendrites, n_dendrite_inputs=k, soma_enabled=soma)
    assert count_params(model, (784,)) == expected
    if soma:  # the seed's closed form, 10 classes: n*d*(k+2) + n + 10*n + 10
        assert expected == n_neurons * n_dendrites * (k + 2) + n_neurons + 10 * n_neurons + 10


def test_anchor_numbers():
    assert count_params(dendritic_simple(10, n_neurons=10, n_dendrites=6, n_dendrite_inputs=128),
                        (784,)) == 7920
    assert count_params(dendritic_simple(10, n_neurons=12, n_dendrites=6, n_dendrite_inputs=96),
                        (784,)) == 7198
    assert count_params(soma_disabled(10, n_dendrites=25, n_dendrite_inputs=64, hidden_size=10),
                        (784,)) == 1995


@pytest.mark.parametrize("hidden", [3, 10, 17])
def test_soma_disabled_fixes_the_anchor_shape_bug(hidden):
    model = soma_disabled(4, n_dendrites=6, n_dendrite_inputs=5, hidden_size=hidden)
    logits, variables = model.init_with_output(jax.random.key(0), jnp.ones((3, 20)))
    assert logits.shape == (3, 4)
    assert count_params(model, (20,)) == param_formula(
        "soma_disabled", n_classes=4, n_neurons=1, n_dendrites=6, n_dendrite_inputs=5,
        hidden_size=hidden) == 6 * 6 + 6 * hidden + hidden + hidden * 4 + 4


@pytest.mark.parametrize("soma", [True, False])
def test_dendritic_with_hidden_counts(soma):
    model = dendritic_with_hidden(10, n_neurons=4, n_dendrites=3, n_dendrite_inputs=8,
                                  hidden_size=9, soma_enabled=soma)
    assert model.init_with_output(jax.random.key(0), jnp.ones((2, 40)))[0].shape == (2, 10)
    assert count_params(model, (40,)) == param_formula(
        "dendritic_with_hidden", n_classes=10, n_neurons=4, n_dendrites=3, n_dendrite_inputs=8,
        hidden_size=9, soma_enabled=soma)


@pytest.mark.parametrize("budget, layers", [(1000, 1), (2000, 1), (8000, 2), (4000, 1)])
def test_mlp_for_budget_is_the_widest_that_fits(budget, layers):
    model = mlp_for_budget(budget, 64, 10, n_hidden_layers=layers)
    width = model.hidden_sizes[0]
    assert count_params(model, (64,)) == mlp_param_count(64, model.hidden_sizes, 10) <= budget
    assert mlp_param_count(64, (width + 1,) * layers, 10) > budget


def test_mlp_for_budget_too_small():
    with pytest.raises(ValueError, match="max_params must be >= 85"):
        mlp_for_budget(50, 64, 10)
    with pytest.raises(ValueError, match="architecture must be one of"):
        param_formula("resnet", n_classes=10, n_neurons=1, n_dendrites=1, n_dendrite_inputs=1)
