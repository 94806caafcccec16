"""Out of place with masked_fill and a mask broadcast over the trailing axes.

advice: none
"""
import torch


def sequence_mask(X, valid_len, value=0):
    steps = torch.arange(X.shape[1], device=X.device)
    padding = steps.expand(X.shape[0], -1) >= valid_len.unsqueeze(1)
    padding = padding.view(*padding.shape, *([1] * (X.dim() - 2)))
    return X.masked_fill(padding, value)
