"""Gets the fans from torch's private helper instead of computing them.

kills: does_not_call_builtin
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
