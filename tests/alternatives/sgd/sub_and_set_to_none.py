"""Tensor.sub_ with alpha under no_grad, then param.grad = None (like zero_grad(set_to_none)).

advice: none
"""
import torch


@torch.no_grad()
def sgd(params, lr, batch_size):
    for param in params:
        param.sub_(param.grad, alpha=lr / batch_size)
        param.grad = None
