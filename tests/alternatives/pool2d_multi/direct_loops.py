"""Loops over channels and strided window positions directly (no pool2d), device-aware.

advice: none
"""
import torch


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    qh, qw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (ph, pw) if stride is None else (
        (stride, stride) if isinstance(stride, int) else stride)
    c, h, w = X.shape
    P = torch.full((c, h + 2 * qh, w + 2 * qw), float('-inf') if mode == 'max' else 0.0,
                   device=X.device)
    P[:, qh:qh + h, qw:qw + w] = X
    Y = torch.zeros((c, (h + 2 * qh - ph) // sh + 1, (w + 2 * qw - pw) // sw + 1),
                    device=X.device)
    for k in range(c):
        for i in range(Y.shape[1]):
            for j in range(Y.shape[2]):
                window = P[k, i * sh:i * sh + ph, j * sw:j * sw + pw]
                Y[k, i, j] = window.max() if mode == 'max' else window.sum() / (ph * pw)
    return Y
