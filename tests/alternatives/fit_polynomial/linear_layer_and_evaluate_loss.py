"""The book's model nn.Linear(d, 1, bias=False), its weight set by pinv, losses by evaluate_loss.
"""
import torch
from torch import nn


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    net = nn.Linear(train_features.shape[-1], 1, bias=False)
    w = torch.linalg.pinv(train_features) @ train_labels.reshape(-1, 1)
    with torch.no_grad():
        net.weight.copy_(w.T)
    loss = nn.MSELoss(reduction="none")
    train_iter = [(train_features, train_labels.reshape(-1, 1))]
    test_iter = [(test_features, test_labels.reshape(-1, 1))]
    return evaluate_loss(net, train_iter, loss), evaluate_loss(net, test_iter, loss)
