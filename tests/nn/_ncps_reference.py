"""Plain NumPy transcriptions of the ncps / velora update equations, used as independent references."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softplus(x):
    return np.log1p(np.exp(x))


def ltc_step(p, wiring, x, v, dt=1.0, unfolds=6, eps=1e-8, implicit=True):
    """Dense ncps torch LTCCell forward (all N x N pairs, then masked)."""
    pos = softplus if implicit else (lambda a: a)
    mask = np.abs(wiring.adjacency_matrix).astype(np.float64)
    smask = np.abs(wiring.sensory_adjacency_matrix).astype(np.float64)
    x = x * p["input_w"] + p["input_b"]
    a_s = pos(p["sensory_w"]) * sigmoid(p["sensory_sigma"] * (x[:, :, None] - p["sensory_mu"])) * smask
    num_s, den_s = (a_s * p["sensory_erev"]).sum(1), a_s.sum(1)
    cm_t = pos(p["cm"]) / (np.reshape(dt, (-1, 1)) / unfolds)
    for _ in range(unfolds):
        a = pos(p["w"]) * sigmoid(p["sigma"] * (v[:, :, None] - p["mu"])) * mask
        num = cm_t * v + pos(p["gleak"]) * p["vleak"] + (a * p["erev"]).sum(1) + num_s
        den = cm_t + pos(p["gleak"]) + a.sum(1) + den_s
        v = num / (den + eps)
    out = v[:, : wiring.output_dim] * p["output_w"] + p["output_b"]
    return out, v


def liquid_step(p, mask, x, h):
    """velora NCPLiquidCell forward with the Flax (in, out) kernel layout."""
    full = np.abs(np.concatenate([mask, np.ones((h.shape[1], h.shape[1]))])) > 0
    z = np.concatenate([x, h], axis=1)

    def lin(name):
        return z @ (p[name]["kernel"] * full) + p[name]["bias"]

    gate = sigmoid(lin("f_head_to_g") + lin("f_head_to_h"))
    new_h = np.tanh(lin("g_head")) * (1 - gate) + gate * np.tanh(lin("h_head"))
    return lin("proj") + new_h, new_h
