"""Builds and returns a new tensor instead of filling the one it was given.

kills: in_place, layer_weight
"""
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return torch.empty(tensor.shape).uniform_(-a, a)
