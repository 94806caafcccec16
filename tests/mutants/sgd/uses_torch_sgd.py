"""torch.optim.SGD with lr / batch_size: right values, but the exercise is to write the step.

kills: sgd_does_not_call_builtin
"""
import torch


def sgd(params, lr, batch_size):
    torch.optim.SGD(params, lr=lr / batch_size).step()
