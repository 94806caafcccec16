"""Broadcasts x against the powers without reshaping: only works for x of shape (n, 1).

kills: output_shape, matches_powers_over_factorials
"""
import math

import torch


def polynomial_features(x, max_degree):
    poly = torch.pow(x, torch.arange(max_degree))
    for i in range(max_degree):
        poly[..., i] /= math.gamma(i + 1)
    return poly
