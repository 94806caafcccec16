"""torch.vander for the powers: right values, but the exercise is to write them.

kills: does_not_call_builtin
"""
import math

import torch


def polynomial_features(x, max_degree):
    powers = torch.vander(x.reshape(-1), N=max_degree, increasing=True)
    return powers / torch.tensor([float(math.factorial(i)) for i in range(max_degree)])
