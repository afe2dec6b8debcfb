"""Test-wide settings.

float32 matrix products run at full float32 precision on every backend: on NVIDIA GPUs JAX's default
lets them use TF32 (10-bit mantissas), which is far from the 1e-4 parity the golden tests check against
the anchors' float32 results. On CPU this changes nothing.
"""

import jax

jax.config.update("jax_default_matmul_precision", "highest")
