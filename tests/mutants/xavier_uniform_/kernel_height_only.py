"""Uses only the kernel height as the receptive field (shape[2]), forgetting its width.

kills: bound_conv_weight, variance_matches_xavier
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor.shape[2] if tensor.dim() > 2 else 1
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
