"""One column at a time with math.factorial, stacked.

advice: none
"""
import math

import torch


def polynomial_features(x, max_degree):
    x = x.flatten()
    return torch.stack([x ** i / math.factorial(i) for i in range(max_degree)], dim=1)
