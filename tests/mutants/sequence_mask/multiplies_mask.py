"""Blends with arithmetic, X * mask + value * (1 - mask): 0 * inf = nan when value is -inf.

kills: masks_with_infinite_value
"""
import torch


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange(maxlen, device=X.device)[None, :] < valid_len[:, None]
    mask = mask.reshape(mask.shape + (1,) * (X.dim() - 2))
    return X * mask + value * (~mask)
