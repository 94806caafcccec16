"""Draws from a normal distribution with the Xavier std (that is xavier_normal_, not uniform).

kills: bound_linear_weight, bound_conv_weight, gain, layer_weight, in_place
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_(0, std)
    return tensor
