import numpy as np
import pytest

from biojax.wiring import NCP, AutoNCP, FullyConnected, LayeredWiring, Random, Wiring


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Wiring(0), "units must be an integer >= 1, got 0"),
        (lambda: Wiring(2.5), "units must be an integer"),
        (lambda: Wiring(3, output_dim=4), r"output_dim must be an integer in \[1, 3\], got 4"),
        (lambda: FullyConnected(-1), "units"),
        (lambda: FullyConnected(3, self_connections=1), "self_connections"),
        (lambda: Random(4, sparsity_level=1.0), r"sparsity_level must be in \[0.0, 1.0\), got 1.0"),
        (lambda: Random(4, sparsity_level=-0.1), "sparsity_level"),
        (lambda: AutoNCP(10, 8), r"output_size must be an integer in \[1, 7\], got 8"),
        (lambda: AutoNCP(10, 2, sparsity_level=0.05), r"sparsity_level must be in \[0.1, 1.0\], got 0.05"),
        (lambda: AutoNCP(10, 2, sparsity_level=1.5), "sparsity_level"),
        (lambda: NCP(4, 2, 1, sensory_fanout=5, inter_fanout=1, recurrent_command_synapses=1, motor_fanin=1),
         r"sensory_fanout must be an integer in \[1, 4\], got 5"),
        (lambda: NCP(4, 2, 1, 2, inter_fanout=3, recurrent_command_synapses=1, motor_fanin=1), "inter_fanout"),
        (lambda: NCP(4, 2, 1, 2, 1, recurrent_command_synapses=1, motor_fanin=3), "motor_fanin"),
        (lambda: NCP(4, 2, 1, 2, 1, recurrent_command_synapses=-1, motor_fanin=1), "recurrent_command_synapses"),
        (lambda: NCP(0, 2, 1, 1, 1, 1, 1), "inter_neurons"),
        (lambda: NCP(4, 2, 1, 2.0, 1, 1, 1), "sensory_fanout must be an integer"),
        (lambda: LayeredWiring(4, 10, 2, sparsity_level=0.95), r"\[0.1, 0.9\]"),
        (lambda: LayeredWiring(0, 10, 2), "in_features"),
        (lambda: FullyConnected(3).build(0), "input_dim"),
    ],
)
def test_bad_arguments_raise_with_name_value_and_range(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_synapse_arguments_are_checked():
    wiring = Wiring(3)
    with pytest.raises(ValueError, match="polarity must be -1 or \\+1, got 0"):
        wiring.add_synapse(0, 1, 0)
    with pytest.raises(ValueError, match="src"):
        wiring.add_synapse(3, 1, 1)
    with pytest.raises(ValueError, match="dest"):
        wiring.add_synapse(0, -1, 1)


def test_matrices_are_validated():
    with pytest.raises(ValueError, match="square"):
        Wiring.from_adjacency(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="may only hold"):
        Wiring.from_adjacency(np.full((2, 2), 2))
    with pytest.raises(ValueError, match="columns"):
        Wiring.from_adjacency(np.zeros((2, 2)), np.zeros((3, 3)))
    built = AutoNCP(16, 4).build(3)
    with pytest.raises(ValueError, match="shape"):
        built.with_matrices(adjacency_matrix=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="built"):
        AutoNCP(16, 4).with_matrices()


def test_from_dict_rejects_unknown_input():
    with pytest.raises(ValueError, match="unknown wiring class 'Nope'"):
        Wiring.from_dict({"class": "Nope", "config": {}, "input_dim": None, "adjacency_matrix": []})
    with pytest.raises(ValueError, match="missing"):
        Wiring.from_dict({"class": "NCP"})
    with pytest.raises(TypeError):
        Wiring.from_dict([1, 2])
