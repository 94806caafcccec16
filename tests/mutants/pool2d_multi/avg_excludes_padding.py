"""Averages only the real (unpadded) elements of a window (count_include_pad=False).

kills: book_example_avg, avg_matches_avg_pool2d
"""
import torch


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    q_h, q_w = (padding, padding) if isinstance(padding, int) else padding
    if stride is None:
        stride = (p_h, p_w)
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    c, h, w = X.shape
    fill = float('-inf') if mode == 'max' else 0.0
    P = torch.full((c, h + 2 * q_h, w + 2 * q_w), fill, device=X.device)
    P[:, q_h:q_h + h, q_w:q_w + w] = X
    Y = torch.stack([pool2d(x, (p_h, p_w), mode)[::s_h, ::s_w] for x in P])
    if mode == 'avg':
        ones = torch.zeros((h + 2 * q_h, w + 2 * q_w), device=X.device)
        ones[q_h:q_h + h, q_w:q_w + w] = 1
        real = pool2d(ones, (p_h, p_w), 'avg')[::s_h, ::s_w]
        Y = Y / real
    return Y
