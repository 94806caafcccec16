"""Computes the norm of the parameters themselves instead of their gradients.

kills: clips_module_gradients, clips_a_list_of_parameters, uses_the_global_norm
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    norm = torch.sqrt(sum(torch.sum(p.detach() ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)
