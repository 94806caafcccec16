"""Always multiplies by theta / norm, so small gradients are scaled *up* to norm theta.

kills: no_change_below_theta
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    for param in params:
        param.grad.mul_(theta / norm)
