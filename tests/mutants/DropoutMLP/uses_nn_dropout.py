"""Uses nn.Dropout layers (the book's concise version) instead of the student's own dropout.

kills: mlp_does_not_call_builtin
"""
import torch
from torch import nn


class DropoutMLP(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
                 dropout1=0.2, dropout2=0.5):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()
        self.drop1, self.drop2 = nn.Dropout(dropout1), nn.Dropout(dropout2)

    def forward(self, X):
        H1 = self.drop1(self.relu(self.lin1(X.reshape((-1, self.num_inputs)))))
        H2 = self.drop2(self.relu(self.lin2(H1)))
        return self.lin3(H2)
