"""Writes the wiring golden files from the anchors: ncps 1.0.1 matrices and velora 0.2.0 counts.

Run once in a throwaway environment (CI only reads the files it writes):

    python -m venv /tmp/golden && /tmp/golden/bin/pip install torch==2.13.0 ncps==1.0.1 numpy
    /tmp/golden/bin/pip install --no-deps velora==0.2.0
    /tmp/golden/bin/python tests/golden/make_wiring_golden.py

Outputs, beside this script: ``ncps_wirings.npz`` (one adjacency and one sensory matrix per case, keys
``<case>/adjacency`` and ``<case>/sensory``), ``ncps_wirings.json`` (the constructor arguments of every
case) and ``velora_wiring_counts.json`` (velora's neuron counts, synapse counts and mask shapes).
"""

import json
import pathlib

import numpy as np
from ncps import wirings as ncps_wirings

HERE = pathlib.Path(__file__).parent

CASES = [
    ("FullyConnected", {"units": 1}, 1),
    ("FullyConnected", {"units": 5}, 3),
    ("FullyConnected", {"units": 8, "output_dim": 2}, 4),
    ("FullyConnected", {"units": 8, "self_connections": False}, 2),
    ("FullyConnected", {"units": 12, "output_dim": 3, "erev_init_seed": 7}, 5),
    ("Random", {"units": 4}, 2),
    ("Random", {"units": 10, "output_dim": 2, "sparsity_level": 0.3}, 3),
    ("Random", {"units": 32, "output_dim": 1, "sparsity_level": 0.5}, 2),
    ("Random", {"units": 16, "sparsity_level": 0.9, "random_seed": 5}, 8),
    ("NCP", {"inter_neurons": 8, "command_neurons": 4, "motor_neurons": 4, "sensory_fanout": 4,
             "inter_fanout": 2, "recurrent_command_synapses": 4, "motor_fanin": 2}, 8),
    ("NCP", {"inter_neurons": 5, "command_neurons": 3, "motor_neurons": 2, "sensory_fanout": 5,
             "inter_fanout": 3, "recurrent_command_synapses": 0, "motor_fanin": 1, "seed": 3}, 1),
    ("NCP", {"inter_neurons": 12, "command_neurons": 6, "motor_neurons": 1, "sensory_fanout": 2,
             "inter_fanout": 1, "recurrent_command_synapses": 10, "motor_fanin": 6, "seed": 99}, 20),
    ("AutoNCP", {"units": 16, "output_size": 4}, 3),
    ("AutoNCP", {"units": 16, "output_size": 4}, 8),
    ("AutoNCP", {"units": 28, "output_size": 4}, 8),
    ("AutoNCP", {"units": 28, "output_size": 10}, 8),
    ("AutoNCP", {"units": 32, "output_size": 8}, 8),
    ("AutoNCP", {"units": 19, "output_size": 1}, 8),
    ("AutoNCP", {"units": 64, "output_size": 8, "sparsity_level": 0.8}, 8),
    ("AutoNCP", {"units": 32, "output_size": 4, "sparsity_level": 0.1, "seed": 1}, 16),
    ("AutoNCP", {"units": 128, "output_size": 8, "seed": 12345}, 16),
    ("AutoNCP", {"units": 10, "output_size": 2, "sparsity_level": 1.0, "seed": 4}, 6),
    ("AutoNCP", {"units": 48, "output_size": 10, "sparsity_level": 0.3, "seed": 7}, 40),
]

VELORA_CASES = [(4, 10, 2, 0.5), (3, 10, 1, 0.1), (20, 10, 5, 0.9), (8, 64, 4, 0.5), (16, 33, 7, 0.3), (1, 2, 1, 0.5)]


def ncps_golden() -> None:
    arrays, cases = {}, []
    for index, (name, kwargs, input_dim) in enumerate(CASES):
        wiring = getattr(ncps_wirings, name)(**kwargs)
        wiring.build(input_dim)
        key = f"case{index:02d}"
        arrays[f"{key}/adjacency"] = wiring.adjacency_matrix.astype(np.int8)
        arrays[f"{key}/sensory"] = wiring.sensory_adjacency_matrix.astype(np.int8)
        cases.append({"key": key, "class": name, "kwargs": kwargs, "input_dim": input_dim})
    np.savez_compressed(HERE / "ncps_wirings.npz", **arrays)
    (HERE / "ncps_wirings.json").write_text(json.dumps(cases, indent=1) + "\n")


def velora_golden() -> None:
    from velora.wiring import Wiring

    rows = []
    for in_features, n_neurons, out_features, sparsity in VELORA_CASES:
        wiring = Wiring(in_features, n_neurons, out_features, sparsity_level=sparsity)
        masks, counts = wiring.data()
        rows.append({
            "args": [in_features, n_neurons, out_features, sparsity],
            "counts": vars(counts),
            "n_connections": vars(wiring.n_connections),
            "shapes": {k: list(v.shape) for k, v in vars(masks).items()},
        })
    (HERE / "velora_wiring_counts.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    ncps_golden()
    velora_golden()
