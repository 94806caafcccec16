"""The PyTorch port's version: the first convolution chosen with an if inside the loop.

advice: none
"""
import torch
from torch import nn


def vgg_block(num_convs, in_channels, out_channels):  # number of convs, input and output channels
    blk = []
    for i in range(num_convs):
        if i == 0:
            blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        else:
            blk.append(nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1))
        blk.append(nn.ReLU())
    blk.append(nn.MaxPool2d(kernel_size=2, stride=2))  # halves height and width
    return nn.Sequential(*blk)
