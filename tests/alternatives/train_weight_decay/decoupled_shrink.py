"""Decay written out: backward on the data loss only, then w <- (1 - lr * lambd) w - lr * grad.

advice: none
"""
import torch


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for _ in range(num_epochs):
        for X, y in train_iter:
            y_hat = X @ w + b
            ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum().backward()
            with torch.no_grad():
                w.mul_(1 - lr * lambd).sub_(lr * w.grad / batch_size)
                b.sub_(lr * b.grad / batch_size)
                w.grad.zero_()
                b.grad.zero_()
    return torch.linalg.vector_norm(w).item()
