"""Each path an nn.Sequential with nn.ReLU modules, registered in the order 4, 3, 2, 1;
the outputs joined with torch.concat.

advice: none
"""
import torch
from torch import nn


class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                nn.Conv2d(in_channels, c4, 1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(in_channels, c3[0], 1), nn.ReLU(),
                                nn.Conv2d(c3[0], c3[1], 5, padding=2), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(in_channels, c2[0], 1), nn.ReLU(),
                                nn.Conv2d(c2[0], c2[1], 3, padding=1), nn.ReLU())
        self.b1 = nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU())

    def forward(self, x):
        return torch.concat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], dim=1)
