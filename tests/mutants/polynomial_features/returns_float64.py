"""Computes the powers in float64 (math on a .double() copy) and returns float64 for a float32
x: the values are right, but the docstring asks for "x's floating dtype".

kills: output_shape
"""
import math

import torch


def polynomial_features(x, max_degree):
    x = x.reshape(-1, 1).double()
    columns = [x ** i / math.factorial(i) for i in range(max_degree)]
    return torch.cat(columns, dim=1)
