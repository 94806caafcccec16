"""torch.linalg.vector_norm of the stacked per-parameter norms, scaling under no_grad.

advice: none
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        net = (p for p in net.parameters() if p.requires_grad)
    grads = [p.grad for p in net]
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    if total > theta:
        with torch.no_grad():
            for g in grads:
                g.mul_(theta / total)
