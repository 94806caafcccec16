"""Under torch.no_grad(), a tensor total, counting examples with X.shape[0]; returns a 0-d tensor.

advice: none
"""
import torch


def evaluate_loss(net, data_iter, loss):
    total, n = torch.tensor(0.0), 0
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            total += loss(out, y.view_as(out)).sum()
            n += X.shape[0]
    return total / n
