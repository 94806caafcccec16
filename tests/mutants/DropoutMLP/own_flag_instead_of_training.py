"""Stores is_training in its own attribute and tests it: net.eval() then changes nothing.

kills: eval_matches_plain_mlp
"""
import torch
from torch import nn


class DropoutMLP(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
                 dropout1=0.2, dropout2=0.5):
        super().__init__()
        self.num_inputs = num_inputs
        self.is_training = is_training
        self.dropout1, self.dropout2 = dropout1, dropout2
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.is_training:
            H1 = dropout(H1, self.dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.is_training:
            H2 = dropout(H2, self.dropout2)
        return self.lin3(H2)
