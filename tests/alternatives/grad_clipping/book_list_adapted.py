"""The book's grad_clipping (d2l, RNN from scratch) with its one adaptation: `list(net)` where the
book has `net.params`, so that a list or a generator of parameters works too.

advice: none
"""
import torch
from torch import nn


def grad_clipping(net, theta):  #@save
    """裁剪梯度"""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = list(net)
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
