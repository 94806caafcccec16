"""Handles pool_size, padding and stride only as ints: a (height, width) pair breaks it.

kills: book_examples_max, output_shape, max_matches_max_pool2d, avg_matches_avg_pool2d
"""
import torch


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    if stride is None:
        stride = pool_size
    c, h, w = X.shape
    fill = float('-inf') if mode == 'max' else 0.0
    P = torch.full((c, h + 2 * padding, w + 2 * padding), fill, device=X.device)
    P[:, padding:padding + h, padding:padding + w] = X
    return torch.stack([pool2d(x, (pool_size, pool_size), mode)[::stride, ::stride] for x in P])
