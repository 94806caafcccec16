"""Every convolution takes in_channels inputs: in_channels is never updated in the loop.

kills: vgg_block_parameter_shapes, vgg_block_stage_shapes, vgg_block_forward_matches_reference
"""
import torch
from torch import nn


def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
