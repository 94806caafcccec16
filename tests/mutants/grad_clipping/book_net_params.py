"""The book's code verbatim: `params = net.params` for anything that is not an nn.Module, which
only works for the book's own RNN class (a list or a generator has no .params).

kills: clips_a_list_of_parameters, clips_a_generator_of_parameters
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
