"""The older book's loop style: accumulate the squared norm, .item(), scale p.grad.data; skips
parameters without a gradient.

advice: none
"""
import torch


def grad_clipping(net, theta):
    params = net.parameters() if isinstance(net, torch.nn.Module) else net
    params = [p for p in params if p.requires_grad and p.grad is not None]
    norm = 0.0
    for param in params:
        norm += (param.grad.data ** 2).sum().item()
    norm = norm ** 0.5
    if norm > theta:
        for param in params:
            param.grad.data *= (theta / norm)
