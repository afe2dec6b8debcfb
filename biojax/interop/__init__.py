"""Bringing weights from the anchor projects (PyTorch) into biojax params."""
