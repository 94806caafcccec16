"""(torch.rand * 2 - 1) * a copied into the tensor; the receptive field from tensor[0][0].

advice: none
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in = tensor.size(1) * receptive_field
    fan_out = tensor.size(0) * receptive_field
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.copy_((torch.rand(tensor.shape) * 2 - 1) * a)
    return tensor
