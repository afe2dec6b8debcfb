"""Bringing weights from the anchor projects (PyTorch) into biojax params."""
from biojax.interop.ncps import params_from_torch
