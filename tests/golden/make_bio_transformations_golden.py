"""Writes tests/golden/bio_transformations.npz from the anchor (pytorch_bio_transformations 0.0.5).

Deterministic mechanisms only (the random draws cannot match across frameworks): crystallization,
fuzzy-factor application, weight splitting, Dale's projection and the temporal decay step. Run by hand:

    python -m venv /work/venv-torch-4 && /work/venv-torch-4/bin/pip install torch==2.13.0 \
        pytorch_bio_transformations==0.0.5
    /work/venv-torch-4/bin/python tests/golden/make_bio_transformations_golden.py
"""

import pathlib

import numpy as np
import torch
from bio_transformations import BioConverter
from bio_transformations.bio_config import Distribution

torch.manual_seed(0)
out = {}

# Crystallization and fuzzy application (baseline factors start at one).
model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
model = BioConverter(fuzzy_lr_distribution=Distribution.BASELINE, crystal_thresh=1e-2, dampening_factor=0.6)(model)
layer = model[0]
layer.weight.grad = torch.randn(5, 6) * 1e-3 * (torch.rand(5, 6) < 0.5).float() * 100 + torch.randn(5, 6) * 1e-4
for step in range(3):
    out[f"crystal_grad_{step}"] = layer.weight.grad.detach().numpy().copy()
    layer.bio_mod.crystallize()
    layer.bio_mod.fuzzy_learning_rates()
    out[f"crystal_factors_{step}"] = layer.bio_mod.fuzzy_learning_rate_parameters.detach().numpy().copy()
    out[f"crystal_scaled_grad_{step}"] = layer.weight.grad.detach().numpy().copy()
    layer.weight.grad = torch.randn(5, 6) * 1e-3 * (torch.rand(5, 6) < 0.5).float() * 100
out["crystal_weight"] = layer.weight.detach().numpy()

# Weight splitting with a ReLU applied before grouping (in_features even too: the anchor checks it).
model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3))
model = BioConverter(weight_splitting_Gamma=2, weight_splitting_activation_function=torch.nn.ReLU())(model)
x = torch.randn(5, 4)
out["split_x"] = x.numpy()
out["split_weight"] = model[0].weight.detach().numpy()
out["split_bias"] = model[0].bias.detach().numpy()
out["split_y"] = model[0](x).detach().numpy()

# Dale's principle: sign per output row, projection relu(W * s) * s.
model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3))
model = BioConverter(apply_dales_principle=True)(model)
layer = model[0]
out["dale_sign"] = layer.bio_mod.sign.detach().numpy()
out["dale_init_weight"] = layer.weight.detach().numpy().copy()
with torch.no_grad():
    layer.weight.add_(torch.randn(6, 4) * 0.5)
out["dale_perturbed"] = layer.weight.detach().numpy().copy()
layer.bio_mod.enforce_dales_principle()
out["dale_projected"] = layer.weight.detach().numpy()

# Temporal decay: after update_freq calls, f <- 1 + (f - 1) * decay.
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
model = BioConverter(fuzzy_lr_distribution=Distribution.TEMPORAL, fuzzy_lr_dynamic=True, fuzzy_lr_update_freq=2,
                     fuzzy_lr_decay=0.5)(model)
layer = model[0]
out["temporal_initial"] = layer.bio_mod.fuzzy_learning_rate_parameters.detach().numpy().copy()
for _ in range(4):
    model.update_fuzzy_learning_rates()
out["temporal_after_4"] = layer.bio_mod.fuzzy_learning_rate_parameters.detach().numpy()

np.savez_compressed(pathlib.Path(__file__).with_name("bio_transformations.npz"), **out)
print({k: v.shape for k, v in out.items()})
