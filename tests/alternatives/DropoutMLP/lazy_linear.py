"""The book's latest edition (d2l 1.0): the three layers are nn.LazyLinear, whose input sizes
are only known after the first forward pass; the probabilities are constructor arguments.
"""
import torch
from torch import nn


class DropoutMLP(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
                 dropout1=0.2, dropout2=0.5):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.dropout1, self.dropout2 = dropout1, dropout2
        self.lin1 = nn.LazyLinear(num_hiddens1)
        self.lin2 = nn.LazyLinear(num_hiddens2)
        self.lin3 = nn.LazyLinear(num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((X.shape[0], -1))))
        if self.training:
            H1 = dropout(H1, self.dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout(H2, self.dropout2)
        return self.lin3(H2)
