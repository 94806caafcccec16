"""Takes fan_in = shape[1] and fan_out = shape[0] also for convolution weights (no kh * kw).

kills: bound_conv_weight, variance_matches_xavier, layer_weight
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
