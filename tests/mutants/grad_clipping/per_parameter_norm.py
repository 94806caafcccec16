"""Clips every parameter's gradient by its own norm instead of the global norm.

kills: clips_module_gradients, clips_a_list_of_parameters, clips_a_generator_of_parameters, uses_the_global_norm
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    for param in params:
        norm = torch.sqrt(torch.sum(param.grad ** 2))
        if norm > theta:
            param.grad.mul_(theta / norm)
