"""Divides param.grad in place before the step: right update, but the gradient is changed.

kills: leaves_gradient_or_zeroes_it
"""
import torch


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.grad /= batch_size
            param -= lr * param.grad
