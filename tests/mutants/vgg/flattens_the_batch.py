"""Flattens with torch.flatten(x).unsqueeze(0): the whole batch becomes one vector, given back a
batch axis of 1.  Right for the docstring's single image, but a batch of b images reaches the
first fully connected layer as one row of b * out_channels * 7 * 7 numbers (flatten from
axis 1: nn.Flatten()).

kills: vgg_stage_shapes
"""
import torch
from torch import nn


class FlattenImage(nn.Module):
    def forward(self, x):
        return torch.flatten(x).unsqueeze(0)


def vgg(conv_arch):
    conv_blks = []
    in_channels = 1
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, FlattenImage(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))
