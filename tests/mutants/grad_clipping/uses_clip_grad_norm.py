"""Calls torch.nn.utils.clip_grad_norm_.

kills: clipping_does_not_call_builtin
"""
import torch
from torch import nn


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \
        else list(net)
    torch.nn.utils.clip_grad_norm_(params, theta)
