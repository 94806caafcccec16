"""Sums over dim 0 only: a (1,) tensor for a column w, a vector for a matrix.

kills: matches_norm, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return torch.sum(w.pow(2), dim=0) / 2
