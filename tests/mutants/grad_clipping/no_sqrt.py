"""Compares and divides by the sum of squares, forgetting the square root.

kills: clips_module_gradients, clips_a_list_of_parameters, no_change_below_theta
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    norm = sum(torch.sum(p.grad ** 2) for p in params)
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)
