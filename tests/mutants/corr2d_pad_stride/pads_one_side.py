"""Pads only above and to the left (p rows and columns in total, not p on each side).

kills: book_padding_example, book_stride_example, output_shape, matches_conv2d
"""
import torch


def corr2d_pad_stride(X, K, padding=0, stride=1):
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    n_h, n_w = X.shape
    k_h, k_w = K.shape
    P = torch.zeros((n_h + p_h, n_w + p_w))
    P[p_h:, p_w:] = X
    Y = torch.zeros(((n_h + p_h - k_h) // s_h + 1, (n_w + p_w - k_w) // s_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w] * K).sum()
    return Y
