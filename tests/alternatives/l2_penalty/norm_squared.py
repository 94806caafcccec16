"""Half the squared norm, with torch.norm.

advice: none
"""
import torch


def l2_penalty(w):
    return 0.5 * torch.norm(w) ** 2
