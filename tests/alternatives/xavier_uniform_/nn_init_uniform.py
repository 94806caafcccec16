"""The fans by a loop over the kernel dimensions, then nn.init.uniform_(tensor, -a, a) (allowed:
it only draws the values; nn.init handles no_grad itself).

advice: none
"""
import math

from torch import nn


def xavier_uniform_(tensor, gain=1.0):
    num_input_fmaps, num_output_fmaps = tensor.size(1), tensor.size(0)
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    fan_in = num_input_fmaps * receptive_field_size
    fan_out = num_output_fmaps * receptive_field_size
    bound = gain * (6 / (fan_in + fan_out)) ** 0.5
    return nn.init.uniform_(tensor, -bound, bound)
