"""Makes tests/golden/pruning_sentinel.npz from sentinel-ai's own neural_plasticity code.

Run by hand (never collected by pytest), with torch in a separate venv and a sentinel-ai checkout:

    python -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch==2.13.0 numpy
    git clone https://github.com/CambrianTech/sentinel-ai && git -C sentinel-ai checkout 6a740a7
    /tmp/venv-torch/bin/python tests/golden/make_pruning_golden.py sentinel-ai/utils/neural_plasticity/core.py

``core.py`` (branch feature/implement-adaptive-plasticity, tip 6a740a7) imports only torch, numpy and
platform, so it is loaded on its own. The file stores the inputs and the anchor's outputs:
``calculate_head_entropy`` per layer (its ``[heads, seq]`` result, stacked to ``[layers, heads, seq]``) and
``generate_pruning_mask`` for the gradient, entropy and combined strategies at several fractions.
"""

import importlib.util
import pathlib
import sys

import numpy as np
import torch

FRACTIONS = (0.1, 0.25, 0.5, 0.8)
STRATEGIES = ("gradient", "entropy", "combined")


def load_core(path: str):
    spec = importlib.util.spec_from_file_location("sentinel_core", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    core = load_core(sys.argv[1])
    rng = np.random.default_rng(20250420)
    layers, batch, heads, seq = 3, 2, 4, 6
    logits = rng.normal(size=(layers, batch, heads, seq, seq)) * rng.uniform(0.2, 4.0, size=(layers, 1, heads, 1, 1))
    attention = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    attention = attention.astype(np.float32)
    anchor_entropy = np.stack(
        [core.calculate_head_entropy(torch.from_numpy(attention[layer])).numpy() for layer in range(layers)]
    )
    grad = rng.uniform(0.0, 1.0, size=(4, 6)).astype(np.float32)
    ent = rng.uniform(0.0, 1.0, size=(4, 6)).astype(np.float32)
    masks = np.stack(
        [
            np.stack(
                [
                    core.generate_pruning_mask(
                        torch.from_numpy(grad), fraction, strategy, torch.from_numpy(ent)
                    ).numpy()
                    for fraction in FRACTIONS
                ]
            )
            for strategy in STRATEGIES
        ]
    )
    out = pathlib.Path(__file__).with_name("pruning_sentinel.npz")
    np.savez_compressed(
        out,
        attention=attention,
        anchor_entropy=anchor_entropy.astype(np.float32),
        grad=grad,
        ent=ent,
        fractions=np.array(FRACTIONS),
        strategies=np.array(STRATEGIES),
        masks=masks,
    )
    print("wrote", out, "torch", torch.__version__)


if __name__ == "__main__":
    main()
