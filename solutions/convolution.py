"""Convolutional layers (卷积层): two-dimensional cross-correlation.

A convolutional layer actually computes a cross-correlation: the kernel slides over the input
and, at every position, the overlapping elements are multiplied and summed.  The kernel is
not flipped.

The exercises follow the book: corr2d, the layer Conv2D built on it, padding and stride
(填充、步幅), and multiple input and output channels (多输入多输出通道), including the 1 x 1
convolution.  Later exercises may (and should) call your own corr2d.
"""
import torch
from torch import nn


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


class Conv2D(nn.Module):
    """A two-dimensional convolutional layer built on ``corr2d``: one kernel and one bias.

    Conv2D(kernel_size) with kernel_size = (kh, kw) has exactly two parameters:
        weight: shape (kh, kw), initialised with torch.rand (uniform in [0, 1))
        bias:   shape (1,), initialised to zero
    both registered as nn.Parameter so that they can be learnt.

    forward(x), x of shape (h, w), returns corr2d(x, weight) + bias, of shape
    (h - kh + 1, w - kw + 1).

    Example:
        >>> conv2d = Conv2D(kernel_size=(1, 2))
        >>> [tuple(p.shape) for p in conv2d.parameters()]
        [(1, 2), (1,)]
        >>> conv2d(torch.ones(6, 8)).shape
        torch.Size([6, 7])

    The book then *learns* the edge-detection kernel [[1, -1]] from an image and its edges by
    gradient descent: keep forward differentiable (torch operations only, no .item()).
    Do not use nn.Conv2d or torch.nn.functional.conv2d.
    """

    def __init__(self, kernel_size):
        super().__init__()
        # BEGIN SOLUTION
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        return corr2d(x, self.weight) + self.bias
        # END SOLUTION


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    """The output shape (height, width) of a 2-D cross-correlation with padding and stride.

    input_shape:  (n_h, n_w)
    kernel_shape: (k_h, k_w)
    padding:      p, or (p_h, p_w): rows added at the top AND at the bottom (p_h each), columns
                  at the left AND at the right (p_w each), as in nn.Conv2d(padding=...)
    stride:       s, or (s_h, s_w): how far the kernel moves down / right at each step

    Returns a tuple of two ints:
        (floor((n_h - k_h + 2 p_h) / s_h) + 1,  floor((n_w - k_w + 2 p_w) / s_w) + 1)
    (the book writes floor((n_h - k_h + p_h + s_h) / s_h) with p_h the *total* padding 2 p_h).

    Examples (the book's):
        >>> conv_output_shape((8, 8), (3, 3), padding=1)
        (8, 8)
        >>> conv_output_shape((8, 8), (3, 3), padding=1, stride=2)
        (4, 4)
        >>> conv_output_shape((8, 8), (3, 5), padding=(0, 1), stride=(3, 4))
        (2, 2)
    """
    # BEGIN SOLUTION
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    n_h, n_w = input_shape
    k_h, k_w = kernel_shape
    return (n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1
    # END SOLUTION


def corr2d_pad_stride(X, K, padding=0, stride=1):
    """Two-dimensional cross-correlation with zero padding and a stride.

    X:       a 2-D tensor of shape (n_h, n_w).
    K:       a 2-D tensor of shape (k_h, k_w) (it fits in the padded input).
    padding: p, or (p_h, p_w): p_h rows of zeros above AND below X, p_w columns of zeros left
             AND right of it (like nn.Conv2d(padding=...)).
    stride:  s, or (s_h, s_w): the kernel moves s_h rows down / s_w columns right per step.

    Returns Y of shape (floor((n_h - k_h + 2 p_h) / s_h) + 1, floor((n_w - k_w + 2 p_w) / s_w) + 1)
    with Y[i, j] = (P[i*s_h : i*s_h + k_h, j*s_w : j*s_w + k_w] * K).sum(), P the padded X.
    With the defaults it is exactly corr2d(X, K).

    Examples (the book's figures 6.3.2 and 6.3.3):
        >>> X = torch.tensor([[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]])
        >>> K = torch.tensor([[0., 1.], [2., 3.]])
        >>> corr2d_pad_stride(X, K, padding=1)
        tensor([[ 0.,  3.,  8.,  4.],
                [ 9., 19., 25., 10.],
                [21., 37., 43., 16.],
                [ 6.,  7.,  8.,  0.]])
        >>> corr2d_pad_stride(X, K, padding=1, stride=(3, 2))
        tensor([[0., 8.],
                [6., 8.]])

    Loops as in corr2d are fine.  Do not call torch.nn.functional.conv2d.
    """
    # BEGIN SOLUTION
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    n_h, n_w = X.shape
    k_h, k_w = K.shape
    P = torch.zeros((n_h + 2 * p_h, n_w + 2 * p_w), device=X.device)
    P[p_h:p_h + n_h, p_w:p_w + n_w] = X
    Y = torch.zeros(((n_h + 2 * p_h - k_h) // s_h + 1, (n_w + 2 * p_w - k_w) // s_w + 1),
                    device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            # the window of output (i, j) starts at row i * s_h, column j * s_w of P
            Y[i, j] = (P[i * s_h: i * s_h + k_h, j * s_w: j * s_w + k_w] * K).sum()
    return Y
    # END SOLUTION


def corr2d_multi_in(X, K):
    """Cross-correlation with several input channels: one kernel per channel, summed.

    X: a 3-D tensor of shape (c_i, h, w): c_i input channels.
    K: a 3-D tensor of shape (c_i, k_h, k_w): one 2-D kernel per input channel.

    Returns a 2-D tensor of shape (h - k_h + 1, w - k_w + 1):
        sum over c of corr2d(X[c], K[c]).

    Example (the book's):
        >>> X = torch.tensor([[[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]],
        ...                   [[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]])
        >>> K = torch.tensor([[[0., 1.], [2., 3.]], [[1., 2.], [3., 4.]]])
        >>> corr2d_multi_in(X, K)
        tensor([[ 56.,  72.],
                [104., 120.]])

    Call your corr2d.  Do not call torch.nn.functional.conv2d.
    """
    # BEGIN SOLUTION
    return sum(corr2d(x, k) for x, k in zip(X, K))
    # END SOLUTION


def corr2d_multi_in_out(X, K):
    """Cross-correlation with several input and output channels.

    X: a 3-D tensor of shape (c_i, h, w).
    K: a 4-D tensor of shape (c_o, c_i, k_h, k_w): for each output channel, one multi-input
       kernel of shape (c_i, k_h, k_w).

    Returns a 3-D tensor of shape (c_o, h - k_h + 1, w - k_w + 1) whose channel o is
    corr2d_multi_in(X, K[o]).

    Example (the book's: three output channels with kernels K, K + 1, K + 2):
        >>> X = torch.tensor([[[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]],
        ...                   [[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]])
        >>> K = torch.tensor([[[0., 1.], [2., 3.]], [[1., 2.], [3., 4.]]])
        >>> corr2d_multi_in_out(X, torch.stack((K, K + 1, K + 2), 0))
        tensor([[[ 56.,  72.],
                 [104., 120.]],
                [[ 76., 100.],
                 [148., 172.]],
                [[ 96., 128.],
                 [192., 224.]]])

    Call your corr2d_multi_in.  Do not call torch.nn.functional.conv2d.
    """
    # BEGIN SOLUTION
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)
    # END SOLUTION


def corr2d_multi_in_out_1x1(X, K):
    """A 1 x 1 convolution computed as ONE matrix multiplication (a fully connected layer
    applied at every pixel).

    X: a 3-D tensor of shape (c_i, h, w).
    K: a 4-D tensor of shape (c_o, c_i, 1, 1).

    Returns a 3-D tensor of shape (c_o, h, w), equal to corr2d_multi_in_out(X, K):
        Y[o, i, j] = sum over c of K[o, c, 0, 0] * X[c, i, j].
    View X as a (c_i, h * w) matrix and K as a (c_o, c_i) matrix: their product is Y as a
    (c_o, h * w) matrix.

    Example:
        >>> X = torch.arange(8.).reshape(2, 2, 2)
        >>> K = torch.tensor([[[[1.]], [[10.]]]])
        >>> corr2d_multi_in_out_1x1(X, K)
        tensor([[[40., 51.],
                 [62., 73.]]])

    No loop over channels or pixels (the number of torch operations must not grow with the
    tensor sizes), and do not call torch.nn.functional.conv2d.
    """
    # BEGIN SOLUTION
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    # Matrix multiplication in the fully connected layer
    Y = torch.matmul(K, X)
    return Y.reshape((c_o, h, w))
    # END SOLUTION
