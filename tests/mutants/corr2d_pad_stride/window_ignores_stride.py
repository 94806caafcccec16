"""Gets the output size right but starts window (i, j) at (i, j), not (i * s_h, j * s_w).

kills: book_stride_example, matches_conv2d
"""
import torch


def corr2d_pad_stride(X, K, padding=0, stride=1):
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    n_h, n_w = X.shape
    k_h, k_w = K.shape
    P = torch.zeros((n_h + 2 * p_h, n_w + 2 * p_w))
    P[p_h:p_h + n_h, p_w:p_w + n_w] = X
    Y = torch.zeros(((n_h + 2 * p_h - k_h) // s_h + 1, (n_w + 2 * p_w - k_w) // s_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i:i + k_h, j:j + k_w] * K).sum()
    return Y
