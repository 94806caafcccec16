"""Writes through tensor.data (no no_grad block needed) with numpy-style fan arithmetic.

advice: none
"""
import numpy as np


def xavier_uniform_(tensor, gain=1.0):
    shape = tuple(tensor.shape)
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    a = gain * np.sqrt(6.0 / ((shape[0] + shape[1]) * receptive))
    tensor.data.uniform_(-float(a), float(a))
    return tensor
