"""Writes the softmax by hand and subtracts the maximum of the whole row, masked positions
included: when a padded score is far above the valid ones, every valid exp underflows to 0
and the row becomes 0 / 0 = nan.

kills: large_scores
"""
import torch


def masked_softmax(X, valid_lens):
    mask = torch.ones_like(X)
    if valid_lens is not None:
        for b in range(X.shape[0]):
            if valid_lens.dim() == 1:
                mask[b, :, int(valid_lens[b]):] = 0
            else:
                for q in range(X.shape[1]):
                    mask[b, q, int(valid_lens[b, q]):] = 0
    shifted = X - X.max(dim=-1, keepdim=True).values
    E = torch.exp(shifted) * mask
    return E / E.sum(dim=-1, keepdim=True)
