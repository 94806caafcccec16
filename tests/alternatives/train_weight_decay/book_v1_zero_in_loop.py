"""The older book's fit_and_plot: sgd without zeroing, gradients zeroed in the loop.

advice: none
"""
import torch


def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad / batch_size


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for _ in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l = l.sum()
            if w.grad is not None:
                w.grad.data.zero_()
                b.grad.data.zero_()
            l.backward()
            sgd([w, b], lr, batch_size)
    return w.norm().item()
