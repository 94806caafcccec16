"""Writes the softmax by hand: subtracts the maximum of the valid scores, keeps exp only at
valid positions and renormalises; loops over the batch to build the mask.

advice: none
"""
import torch


def masked_softmax(X, valid_lens):
    mask = torch.ones_like(X, dtype=torch.bool)
    if valid_lens is not None:
        for b in range(X.shape[0]):
            if valid_lens.dim() == 1:
                mask[b, :, int(valid_lens[b]):] = False
            else:
                for q in range(X.shape[1]):
                    mask[b, q, int(valid_lens[b, q]):] = False
    largest = X.masked_fill(~mask, float("-inf")).max(dim=-1, keepdim=True).values
    E = torch.where(mask, torch.exp(X - largest), torch.zeros_like(X))
    return E / E.sum(dim=-1, keepdim=True)
