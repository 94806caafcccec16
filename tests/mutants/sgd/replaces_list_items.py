"""params[i] = params[i] - ...: the list gets new tensors, the model keeps the old ones.

kills: sgd_book_example, updates_in_place, matches_torch_sgd, updates_every_parameter
"""
import torch


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for i in range(len(params)):
            params[i] = params[i] - lr * params[i].grad / batch_size
