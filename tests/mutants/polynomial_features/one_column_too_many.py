"""Makes max_degree + 1 columns (powers 0 .. max_degree), reading "degree" literally.

kills: book_example, output_shape, matches_powers_over_factorials
"""
import math

import torch


def polynomial_features(x, max_degree):
    x = x.reshape(-1, 1)
    return torch.cat([x ** i / math.factorial(i) for i in range(max_degree + 1)], dim=1)
