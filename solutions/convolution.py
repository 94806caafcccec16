"""Convolutional layers (卷积层): two-dimensional cross-correlation.

A convolutional layer actually computes a cross-correlation: the kernel slides over the input
and, at every position, the overlapping elements are multiplied and summed.  The kernel is
not flipped.
"""
import torch


def corr2d(X, K):
    """Two-dimensional cross-correlation of the input ``X`` with the kernel ``K``.

    X: a 2-D tensor of shape (h, w).
    K: a 2-D tensor of shape (kh, kw), with kh <= h and kw <= w.

    Returns a tensor Y of shape (h - kh + 1, w - kw + 1) where
        Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    (no padding, stride 1).

    Example:
        >>> X = torch.tensor([[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]])
        >>> K = torch.tensor([[0., 1.], [2., 3.]])
        >>> corr2d(X, K)
        tensor([[19., 25.],
                [37., 43.]])

    Loops over the output positions are fine; do not call torch.nn.functional.conv2d.
    """
    # BEGIN SOLUTION
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i: i + h, j: j + w] * K).sum()
    return Y
    # END SOLUTION
