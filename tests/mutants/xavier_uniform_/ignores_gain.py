"""Accepts gain but never multiplies by it.

kills: gain, layer_weight
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
