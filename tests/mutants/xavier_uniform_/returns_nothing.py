"""Fills the tensor in place but forgets to return it.

kills: in_place
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
