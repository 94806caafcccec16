"""Broadcasts a 3-D mask from valid_lens and masks with -inf through torch.where.

advice: none
"""
import torch


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    lens = valid_lens[:, None, None] if valid_lens.dim() == 1 else valid_lens[:, :, None]
    positions = torch.arange(X.shape[-1], device=X.device)
    mask = positions < lens
    return torch.softmax(torch.where(mask, X, torch.full_like(X, float("-inf"))), dim=-1)
