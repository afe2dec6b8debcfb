"""Writes the liquid-cell golden files from ncps 1.0.1 (torch): weights, inputs, outputs, states.

Run once in a throwaway environment (CI only reads the files it writes):

    python -m venv /tmp/golden && /tmp/golden/bin/pip install torch==2.13.0 ncps==1.0.1 numpy
    /tmp/golden/bin/python tests/golden/make_ncps_cells_golden.py

Outputs, beside this script: ``ncps_cells.json`` (one entry per case: model kind, wiring, constructor
arguments, shapes) and ``ncps_cells.npz`` (per case ``<case>/sd/<state-dict key>``, ``<case>/x``,
optionally ``<case>/timespans`` and ``<case>/h0`` / ``<case>/c0``, and the results ``<case>/y``,
``<case>/h`` and, with mixed memory, ``<case>/c``).

ncps multiplies ``timespans[:, t].squeeze()`` of shape (batch,) into (batch, units) tensors, which is
wrong for batch > 1 (ncps issues #81-83). Timespan cases therefore use batch 1, or pass spans
pre-broadcast to (batch, time, units), which ncps handles per sample; the stored ``timespans`` are the
per-sample (batch, time) values biojax takes.
"""

import json
import pathlib

import numpy as np
import torch
from ncps import torch as ncps_torch
from ncps import wirings as ncps_wirings

HERE = pathlib.Path(__file__).parent

NCP_ARGS = {"inter_neurons": 6, "command_neurons": 4, "motor_neurons": 2, "sensory_fanout": 3,
            "inter_fanout": 2, "recurrent_command_synapses": 3, "motor_fanin": 2, "seed": 5}

# (name, kind, wiring or units, kwargs, input_dim, batch, steps, options)
CASES = [
    ("ltc_fc", "LTC", ["FullyConnected", {"units": 6}], {}, 3, 2, 5, {}),
    ("ltc_fc_out", "LTC", ["FullyConnected", {"units": 8, "output_dim": 2}], {"ode_unfolds": 3}, 2, 3, 6, {}),
    ("ltc_random", "LTC", ["Random", {"units": 10, "output_dim": 3, "sparsity_level": 0.5}], {}, 4, 2, 7, {}),
    ("ltc_ncp", "LTC", ["NCP", NCP_ARGS], {}, 5, 2, 6, {}),
    ("ltc_autoncp", "LTC", ["AutoNCP", {"units": 16, "output_size": 4}], {}, 3, 2, 8, {}),
    ("ltc_autoncp_ts_b1", "LTC", ["AutoNCP", {"units": 16, "output_size": 4}], {}, 3, 1, 8, {"timespans": "batch1"}),
    ("ltc_autoncp_ts_per_sample", "LTC", ["AutoNCP", {"units": 16, "output_size": 4}], {}, 3, 3, 6, {"timespans": "broadcast"}),
    ("ltc_linear_maps", "LTC", ["AutoNCP", {"units": 12, "output_size": 2}],
     {"input_mapping": "linear", "output_mapping": None, "ode_unfolds": 2, "implicit_param_constraints": False}, 3, 2, 4, {}),
    ("ltc_mixed", "LTC", ["AutoNCP", {"units": 12, "output_size": 3}], {"mixed_memory": True}, 3, 2, 5, {"h0": True}),
    ("ltc_last_time_major", "LTC", ["FullyConnected", {"units": 5, "output_dim": 2}],
     {"return_sequences": False, "batch_first": False}, 2, 3, 4, {"h0": True}),
    ("cfc_default", "CfC", 8, {"backbone_units": 16}, 3, 2, 6, {}),
    ("cfc_default_128", "CfC", 6, {}, 2, 2, 4, {}),
    ("cfc_pure", "CfC", 8, {"mode": "pure", "backbone_units": 16}, 3, 2, 6, {}),
    ("cfc_no_gate", "CfC", 8, {"mode": "no_gate", "backbone_units": 16}, 3, 2, 6, {}),
    ("cfc_no_backbone", "CfC", 5, {"backbone_layers": 0}, 3, 2, 6, {}),
    ("cfc_two_layers_relu", "CfC", 6, {"backbone_layers": 2, "backbone_units": 12, "activation": "relu"}, 3, 2, 5, {}),
    ("cfc_silu_gelu_tanh", "CfC", 6, {"backbone_units": 10, "activation": "silu"}, 3, 2, 5, {}),
    ("cfc_gelu", "CfC", 6, {"backbone_units": 10, "activation": "gelu", "mode": "no_gate"}, 3, 2, 5, {}),
    ("cfc_tanh_pure", "CfC", 6, {"backbone_units": 10, "activation": "tanh", "mode": "pure"}, 3, 2, 5, {}),
    ("cfc_proj_mixed", "CfC", 8, {"backbone_units": 16, "proj_size": 3, "mixed_memory": True}, 3, 2, 6, {"h0": True}),
    ("cfc_ts_per_sample", "CfC", 8, {"backbone_units": 16}, 3, 3, 6, {"timespans": "broadcast"}),
    ("cfc_pure_ts_per_sample", "CfC", 8, {"backbone_units": 16, "mode": "pure"}, 3, 3, 6, {"timespans": "broadcast"}),
    ("cfc_last_time_major", "CfC", 7, {"backbone_units": 16, "return_sequences": False, "batch_first": False}, 3, 2, 5, {}),
    ("wcfc_autoncp", "CfC", ["AutoNCP", {"units": 16, "output_size": 4}], {}, 3, 2, 8, {}),
    ("wcfc_autoncp_pure", "CfC", ["AutoNCP", {"units": 16, "output_size": 4}], {"mode": "pure"}, 3, 2, 8, {}),
    ("wcfc_autoncp_no_gate", "CfC", ["AutoNCP", {"units": 16, "output_size": 4}], {"mode": "no_gate"}, 3, 2, 8, {}),
    ("wcfc_ncp_ts_b1", "CfC", ["NCP", NCP_ARGS], {}, 5, 1, 7, {"timespans": "batch1"}),
    ("wcfc_fc", "CfC", ["FullyConnected", {"units": 6, "output_dim": 2}], {}, 3, 2, 5, {}),
    ("wcfc_random", "CfC", ["Random", {"units": 8, "output_dim": 3, "sparsity_level": 0.4}], {}, 4, 2, 5, {}),
    ("wcfc_mixed_proj", "CfC", ["AutoNCP", {"units": 12, "output_size": 2}],
     {"mixed_memory": True, "proj_size": 3}, 3, 2, 6, {"h0": True}),
]


def _wiring(spec):
    name, kwargs = spec
    return getattr(ncps_wirings, name)(**kwargs)


def main() -> None:
    arrays, meta = {}, {}
    for index, (name, kind, units, kwargs, input_dim, batch, steps, options) in enumerate(CASES):
        torch.manual_seed(1000 + index)
        rng = np.random.default_rng(index)
        target = _wiring(units) if isinstance(units, list) else units
        cls = ncps_torch.LTC if kind == "LTC" else ncps_torch.CfC
        model = cls(input_dim, target, **kwargs)
        # Move parameters away from their initial constants (A = 1, w_tau = 0, input_w = 1, ...).
        with torch.no_grad():
            for key, param in model.named_parameters():
                if param.requires_grad:
                    param.add_(0.1 * torch.randn_like(param))
        batch_first = kwargs.get("batch_first", True)
        shape = (batch, steps, input_dim) if batch_first else (steps, batch, input_dim)
        x = rng.normal(size=shape).astype(np.float32)
        call = {"input": torch.from_numpy(x)}
        if "timespans" in options:
            ts = rng.uniform(0.2, 2.0, size=shape[:2]).astype(np.float32)
            arrays[f"{name}/timespans"] = ts
            if options["timespans"] == "broadcast":
                call["timespans"] = torch.from_numpy(ts)[..., None].expand(*shape[:2], model.state_size)
            else:
                call["timespans"] = torch.from_numpy(ts)
        if options.get("h0"):
            h0 = rng.normal(size=(batch, model.state_size)).astype(np.float32) * 0.5
            arrays[f"{name}/h0"] = h0
            hx = torch.from_numpy(h0)
            if kwargs.get("mixed_memory"):
                c0 = rng.normal(size=(batch, model.state_size)).astype(np.float32) * 0.5
                arrays[f"{name}/c0"] = c0
                hx = (hx, torch.from_numpy(c0))
            call["hx"] = hx
        with torch.no_grad():
            y, state = model(**call)
        if kwargs.get("mixed_memory"):
            arrays[f"{name}/h"], arrays[f"{name}/c"] = state[0].numpy(), state[1].numpy()
        else:
            arrays[f"{name}/h"] = state.numpy()
        arrays[f"{name}/y"] = y.numpy()
        arrays[f"{name}/x"] = x
        for key, value in model.state_dict().items():
            arrays[f"{name}/sd/{key}"] = value.detach().numpy().astype(np.float32)
        if isinstance(units, list):
            built = _wiring(units)
            built.build(input_dim)
            arrays[f"{name}/adjacency"] = built.adjacency_matrix
            arrays[f"{name}/sensory"] = built.sensory_adjacency_matrix
        meta[name] = {"kind": kind, "units": units, "kwargs": kwargs, "input_dim": input_dim,
                      "batch": batch, "steps": steps, "options": options}
    np.savez_compressed(HERE / "ncps_cells.npz", **arrays)
    (HERE / "ncps_cells.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(meta)} cases")


if __name__ == "__main__":
    main()
