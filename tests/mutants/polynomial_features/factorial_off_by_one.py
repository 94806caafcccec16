"""Divides column i by (i + 1)! instead of i! (math.gamma(i + 2) for gamma(i + 1)).

kills: book_example, matches_powers_over_factorials
"""
import math

import torch


def polynomial_features(x, max_degree):
    x = x.reshape(-1, 1)
    poly = torch.pow(x, torch.arange(max_degree).reshape(1, -1))
    for i in range(max_degree):
        poly[:, i] /= math.factorial(i + 1)
    return poly
