"""The one shared training loop: pure epoch and evaluation functions for classifiers.

Examples, the search engine and the pruning cycle all train through these functions, so a
behaviour fixed here is fixed everywhere.
"""

from biojax.train.classification import accuracy, evaluate, make_epoch_fn, make_train_step, softmax_cross_entropy
from biojax.train.stateful import make_stateful_epoch_fn
from biojax.train.resampling import make_resampling_epoch_fn
from biojax.train.data_parallel import data_parallel_value_and_grad

__all__ = [
    "accuracy",
    "data_parallel_value_and_grad",
    "evaluate",
    "make_epoch_fn",
    "make_resampling_epoch_fn",
    "make_stateful_epoch_fn",
    "make_train_step",
    "softmax_cross_entropy",
]
