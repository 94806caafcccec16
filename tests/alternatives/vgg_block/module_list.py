"""A Module subclass with an nn.ModuleList, functional ReLU and pooling, padding='same'.

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class VGGBlock(nn.Module):
    def __init__(self, num_convs, in_channels, out_channels):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding="same")
            for i in range(num_convs))

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return F.max_pool2d(x, 2)


def vgg_block(num_convs, in_channels, out_channels):
    return VGGBlock(num_convs, in_channels, out_channels)
