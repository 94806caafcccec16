"""Adds the gradient instead of subtracting it.

kills: sgd_book_example, updates_in_place, matches_torch_sgd, updates_every_parameter
"""
import torch


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param += lr * param.grad / batch_size
