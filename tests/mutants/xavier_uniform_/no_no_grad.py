"""Calls tensor.uniform_ outside torch.no_grad(): raises on a parameter that requires grad.

kills: layer_weight
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    tensor.uniform_(-a, a)
    return tensor
