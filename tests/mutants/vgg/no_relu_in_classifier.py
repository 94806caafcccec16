"""No ReLU between the fully connected layers: the classifier is one linear map.

kills: vgg_forward_matches_reference
"""
import torch
from torch import nn


def vgg(conv_arch):
    conv_blks = []
    in_channels = 1
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.Dropout(0.5),
        nn.Linear(4096, 10))
