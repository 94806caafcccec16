"""Dropout (丢弃法).

Dropout fights overfitting: during training, every hidden unit is dropped (set to zero) with
probability ``drop_prob``, and the units that are kept are stretched by ``1 / (1 - drop_prob)``
so that the expected value of every unit stays the same.
"""
import torch


def dropout(X, drop_prob):
    """Inverted dropout of the tensor ``X``.

    X:         a tensor of any shape (and any dtype: convert it to float first).
    drop_prob: the probability of dropping an element, 0 <= drop_prob <= 1; anything else
               is an error (``assert`` it, or raise ValueError).

    Returns a float tensor of X's shape: each element independently set to 0 with
    probability ``drop_prob``, the kept ones divided by ``1 - drop_prob``.
    ``drop_prob == 0`` returns X (as float) unchanged; ``drop_prob == 1`` returns zeros.

    Example (one possible outcome; the mask is random):
        >>> dropout(torch.arange(8).reshape(2, 4), 0.5)
        tensor([[ 0.,  2.,  0.,  6.],
                [ 8.,  0., 12.,  0.]])

    Use ``torch.rand``; do not call ``torch.nn.functional.dropout``.
    """
    # BEGIN SOLUTION
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    # drop everything in this case
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).float()

    return mask * X / keep_prob
    # END SOLUTION
