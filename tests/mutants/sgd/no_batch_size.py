"""Forgets / batch_size: steps batch_size times too far.

kills: sgd_book_example, matches_torch_sgd, updates_every_parameter
"""
import torch


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()
