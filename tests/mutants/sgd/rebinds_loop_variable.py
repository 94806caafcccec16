"""param = param - ...: builds new tensors and rebinds the loop variable; nothing changes.

kills: sgd_book_example, updates_in_place, matches_torch_sgd, updates_every_parameter
"""
import torch


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param = param - lr * param.grad / batch_size
