"""Averages the squares instead of summing them.

kills: penalty_book_example, gradient_is_w, matches_norm, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return torch.mean(w ** 2) / 2
