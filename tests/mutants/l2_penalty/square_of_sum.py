"""Squares the sum instead of summing the squares.

kills: penalty_book_example, gradient_is_w, matches_norm, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return torch.sum(w) ** 2 / 2
