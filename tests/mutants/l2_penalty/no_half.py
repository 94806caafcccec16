"""Forgets the / 2: sum(w^2), whose gradient is 2w.

kills: penalty_book_example, gradient_is_w, matches_norm, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return torch.sum(w.pow(2))
