"""Returns a Python float (.item()): right value, but autograd cannot see the penalty.

kills: gradient_is_w, returns_scalar_tensor
"""
import torch


def l2_penalty(w):
    return (torch.sum(w ** 2) / 2).item()
