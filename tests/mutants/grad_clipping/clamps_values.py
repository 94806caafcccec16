"""Clips each gradient element to [-theta, theta] (clipping by value, not by norm).

kills: clips_module_gradients, clips_a_list_of_parameters, uses_the_global_norm
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    for param in params:
        param.grad.clamp_(-theta, theta)
