"""Correct, but creates the padded input on the CPU whatever X's device.

kills: creates_tensors_on_input_device
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
    P = torch.full((c, h + 2 * q_h, w + 2 * q_w), fill)
    P[:, q_h:q_h + h, q_w:q_w + w] = X
    return torch.stack([pool2d(x, (p_h, p_w), mode)[::s_h, ::s_w] for x in P])
