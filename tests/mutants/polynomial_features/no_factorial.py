"""Uses x**i without dividing by i! (the plain powers).

kills: book_example, matches_powers_over_factorials
"""
import torch


def polynomial_features(x, max_degree):
    x = x.reshape(-1, 1)
    return torch.pow(x, torch.arange(max_degree).reshape(1, -1))
