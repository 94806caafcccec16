"""Numerical stability and initialisation (梯度消失和爆炸).

In a deep network the gradient is a product of many layer Jacobians: it can vanish or explode.
Two remedies from the book: initialise the weights so that the variance of activations and
gradients stays the same from layer to layer (Xavier initialisation), and, when gradients
still explode (recurrent networks), clip their global norm (gradient clipping).
"""
import math

import torch
from torch import nn


def xavier_uniform_(tensor, gain=1.0):
    """Fill ``tensor`` in place with Xavier (Glorot) uniform values; return ``tensor``.

    tensor: a weight with at least 2 dimensions, e.g. an nn.Linear weight of shape
            (out_features, in_features), or a convolution weight (out_channels, in_channels,
            kh, kw).  It may be a parameter that requires grad (nn.Linear(3, 4).weight):
            change it under ``torch.no_grad()``.
    gain:   a scaling factor (e.g. sqrt(2) before a ReLU), default 1.

    The values are drawn uniformly from [-a, a] with
        a = gain * sqrt(6 / (fan_in + fan_out))
    where, with receptive_field = kh * kw (the product of the dimensions after the first
    two; 1 for a 2-D weight):
        fan_in  = tensor.shape[1] * receptive_field
        fan_out = tensor.shape[0] * receptive_field
    so that Var = a**2 / 3 = gain**2 * 2 / (fan_in + fan_out).  The same tensor object is
    filled (in place) and returned.

    Example:
        >>> w = torch.empty(3, 5)             # fan_in = 5, fan_out = 3: a = sqrt(6 / 8)
        >>> xavier_uniform_(w) is w
        True
        >>> bool(w.abs().max() <= math.sqrt(6 / 8))
        True

    Compute the fans and the bound yourself; ``tensor.uniform_(-a, a)`` is fine, but do not
    call nn.init.xavier_uniform_ (or xavier_normal_, or torch's private fan helper).
    """
    # BEGIN SOLUTION
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
    # END SOLUTION


def grad_clipping(net, theta):
    """Clip the gradients of ``net`` so that their global L2 norm is at most ``theta``.

    net:   an nn.Module (clip the gradients of its parameters that require grad), or the
           parameters themselves: a list of tensors (like the book's from-scratch RNN
           parameters) or a generator such as ``model.parameters()``.  A generator can be
           iterated only once: collect the parameters in a list first.
    theta: the largest allowed norm, a positive number.

    The global norm is taken over all the gradients together:
        norm = sqrt(sum over parameters p of (p.grad ** 2).sum())
    If norm > theta, every gradient is multiplied in place by theta / norm (the direction is
    kept, the new norm is theta); otherwise nothing changes.  Returns nothing.

    Example:
        >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3., 4.])  # norm 5
        >>> grad_clipping([w], 1.0)
        >>> w.grad
        tensor([0.6000, 0.8000])

    Do not call torch.nn.utils.clip_grad_norm_ (it does the whole exercise).
    """
    # BEGIN SOLUTION
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = list(net)
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)
    # END SOLUTION
