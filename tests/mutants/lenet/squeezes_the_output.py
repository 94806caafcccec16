"""Returns the scores with .squeeze() (a habit from regression, where it turns (b, 1)
predictions into (b,)): for a batch of one image the batch axis goes too, and the scores have
shape (10,) instead of (1, 10).

kills: stage_shapes
"""
import torch
from torch import nn


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, X):
        X = self.pool(torch.sigmoid(self.conv1(X)))
        X = self.pool(torch.sigmoid(self.conv2(X)))
        X = X.flatten(1)
        X = torch.sigmoid(self.fc1(X))
        X = torch.sigmoid(self.fc2(X))
        return self.fc3(X).squeeze()


def lenet():
    return LeNet()
