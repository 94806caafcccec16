"""The book's code as written in a notebook: one global network (inplace ReLUs, functional
dropout with training=self.training in a small wrapper), returned by alexnet().

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, training=self.training)


net = nn.Sequential(
    nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Flatten(),
    nn.Linear(6400, 4096), nn.ReLU(inplace=True),
    Dropout(0.5),
    nn.Linear(4096, 4096), nn.ReLU(inplace=True),
    Dropout(0.5),
    nn.Linear(4096, 10))


def alexnet():
    return net
