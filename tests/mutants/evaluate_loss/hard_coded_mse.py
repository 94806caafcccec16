"""Computes the squared error itself instead of calling the loss it is given.

kills: uses_the_given_loss
"""


def evaluate_loss(net, data_iter, loss):
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        total += float(((out - y.reshape(out.shape)) ** 2).sum())
        count += y.numel()
    return total / count
