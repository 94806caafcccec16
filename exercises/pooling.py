# Generated from solutions/pooling.py by `grade generate`: edit the code below, keep the names.
"""Pooling layers (池化层).

A pooling window slides over the input like a convolution kernel, but instead of a weighted
sum it takes the maximum (max pooling) or the mean (average pooling) of the window.  Pooling
makes a layer less sensitive to the exact position of a feature.
"""
import torch


def pool2d(X, pool_size, mode='max'):
    """Two-dimensional max or average pooling, stride 1, no padding.

    X:         a 2-D tensor of shape (h, w).
    pool_size: (p_h, p_w), the window's height and width (p_h <= h, p_w <= w).
    mode:      'max' (the default) or 'avg'.

    Returns a tensor Y of shape (h - p_h + 1, w - p_w + 1) where Y[i, j] is the maximum
    (or the mean) of X[i:i + p_h, j:j + p_w].

    Example:
        >>> X = torch.tensor([[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]])
        >>> pool2d(X, (2, 2))
        tensor([[4., 5.],
                [7., 8.]])
        >>> pool2d(X, (2, 2), 'avg')
        tensor([[2., 3.],
                [5., 6.]])

    Do not call torch.nn.functional.max_pool2d / avg_pool2d.
    """
    # TODO: write your code here
    raise NotImplementedError
