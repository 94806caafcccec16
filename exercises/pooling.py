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


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    """Max or average pooling with padding and stride, on several channels.

    X:         a 3-D tensor of shape (c, h, w); every channel is pooled separately, so the
               result has c channels too (pooling does not sum over channels).
    pool_size: p, or (p_h, p_w): the window.
    padding:   q, or (q_h, q_w): rows added above AND below, columns left AND right (at most
               half the window, as in nn.MaxPool2d).
    stride:    s, or (s_h, s_w); None (the default) means stride = pool_size, as in
               nn.MaxPool2d, so windows do not overlap.
    mode:      'max' (the default) or 'avg'.

    Returns a tensor of shape (c, floor((h - p_h + 2 q_h) / s_h) + 1,
    floor((w - p_w + 2 q_w) / s_w) + 1), the same as nn.MaxPool2d / nn.AvgPool2d:
      - 'max': padded positions never win (pad with -inf, not 0);
      - 'avg': padded positions count as zeros and the divisor is always p_h * p_w
        (F.avg_pool2d's default count_include_pad=True).

    Examples (the book's 4 x 4 input):
        >>> X = torch.arange(16.).reshape(1, 4, 4)
        >>> pool2d_multi(X, 3)
        tensor([[[10.]]])
        >>> pool2d_multi(X, 3, padding=1, stride=2)
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
        >>> pool2d_multi(X, (2, 3), padding=(0, 1), stride=(2, 3))
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
        >>> pool2d_multi(torch.cat((X, X + 1)), 3, padding=1, stride=2)
        tensor([[[ 5.,  7.],
                 [13., 15.]],
                [[ 6.,  8.],
                 [14., 16.]]])

    You may call your pool2d.  Do not call torch.nn.functional.max_pool2d / avg_pool2d.
    """
    # TODO: write your code here
    raise NotImplementedError
