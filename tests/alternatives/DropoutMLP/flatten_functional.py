"""nn.Flatten and F.relu, probabilities as attributes, the dropout applied before the ReLU
(relu(dropout(z)) == dropout(relu(z)): the same network).

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class DropoutMLP(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
                 dropout1=0.2, dropout2=0.5):
        super().__init__()
        self.train(is_training)
        self.p1, self.p2 = dropout1, dropout2
        self.flatten = nn.Flatten()
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)

    def forward(self, X):
        Z1 = self.lin1(self.flatten(X))
        H1 = F.relu(dropout(Z1, self.p1) if self.training else Z1)
        Z2 = self.lin2(H1)
        H2 = F.relu(dropout(Z2, self.p2) if self.training else Z2)
        return self.lin3(H2)
