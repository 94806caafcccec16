"""Uses the norm itself, ||w|| / 2, instead of its square.

kills: penalty_book_example, gradient_is_w, matches_norm, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return torch.norm(w) / 2
