"""A Module subclass with its own forward: fully connected layers registered first, functional
sigmoid and pooling, x.flatten(1).

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc3 = nn.Linear(84, 10)
        self.fc2 = nn.Linear(120, 84)
        self.fc1 = nn.Linear(400, 120)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)

    def forward(self, x):
        x = F.avg_pool2d(torch.sigmoid(self.conv1(x)), 2)
        x = F.avg_pool2d(self.conv2(x).sigmoid(), kernel_size=2, stride=2)
        x = x.flatten(1)
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        return self.fc3(x)


def lenet():
    return LeNet()
