"""Takes every parameter of the module, also frozen ones whose .grad is None.

kills: skips_frozen_parameters
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = list(net.parameters()) if isinstance(net, nn.Module) else list(net)
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)
