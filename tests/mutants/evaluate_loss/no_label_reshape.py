"""Forgets y = y.reshape(out.shape): (b, 1) outputs minus (b,) labels broadcast to (b, b).

kills: reshapes_labels
"""


def evaluate_loss(net, data_iter, loss):
    total, count = 0.0, 0
    for X, y in data_iter:
        l = loss(net(X), y)
        total += float(l.sum())
        count += l.numel()
    return total / count
