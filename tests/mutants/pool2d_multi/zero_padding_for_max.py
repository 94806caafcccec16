"""Pads with zeros in both modes: in max mode a padded 0 wins over negative inputs.

kills: padding_never_wins_max, max_matches_max_pool2d
"""
import torch


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    q_h, q_w = (padding, padding) if isinstance(padding, int) else padding
    if stride is None:
        stride = (p_h, p_w)
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    c, h, w = X.shape
    P = torch.zeros((c, h + 2 * q_h, w + 2 * q_w), device=X.device)
    P[:, q_h:q_h + h, q_w:q_w + w] = X
    return torch.stack([pool2d(x, (p_h, p_w), mode)[::s_h, ::s_w] for x in P])
