"""The one shared training loop: a ``TrainState``, the epoch function and its step, evaluation.

Examples, the search engine and dendritic resampling all train through :func:`make_epoch_fn`, so a
behaviour fixed here is fixed everywhere.
"""

from biojax.train.classification import accuracy, evaluate, make_train_step, softmax_cross_entropy
from biojax.train.state import TrainState
from biojax.train.epoch import PostStep, make_epoch_fn
from biojax.train.resampling import resampling_post_step
from biojax.train.data_parallel import data_parallel_value_and_grad

__all__ = [
    "PostStep",
    "TrainState",
    "accuracy",
    "data_parallel_value_and_grad",
    "evaluate",
    "make_epoch_fn",
    "make_train_step",
    "resampling_post_step",
    "softmax_cross_entropy",
]
