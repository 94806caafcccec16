"""Uses a non-Module argument as it is: a generator is used up by the norm, so nothing is clipped.

kills: clips_a_generator_of_parameters
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)
