"""Pads into a 2-D tensor: only works for one channel (channels are not handled).

kills: book_examples_max, output_shape, max_matches_max_pool2d, avg_matches_avg_pool2d, padding_never_wins_max
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
    P = torch.full((h + 2 * q_h, w + 2 * q_w), fill, device=X.device)
    P[q_h:q_h + h, q_w:q_w + w] = X
    return torch.stack([pool2d(P, (p_h, p_w), mode)[::s_h, ::s_w]])
