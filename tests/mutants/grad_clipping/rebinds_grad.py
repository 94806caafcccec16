"""Replaces each p.grad by a new tensor (p.grad = p.grad * c): right values, not in place.

kills: scales_in_place
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad = param.grad * (theta / norm)
