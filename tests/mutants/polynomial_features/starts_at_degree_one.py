"""Uses the powers 1 .. max_degree (forgets the constant column x**0).

kills: book_example, matches_powers_over_factorials
"""
import math

import torch


def polynomial_features(x, max_degree):
    x = x.reshape(-1, 1)
    return torch.cat([x ** i / math.factorial(i) for i in range(1, max_degree + 1)], dim=1)
