"""The PyTorch port's style: blocks added with add_module, the classifier in a nested
nn.Sequential with its own Flatten module (conv_arch is still the book's pairs).

advice: none
"""
import torch
from torch import nn


class FlattenLayer(nn.Module):
    def forward(self, x):  # x shape: (batch, *, *, ...)
        return x.view(x.shape[0], -1)


def vgg(conv_arch, fc_hidden_units=4096):
    net = nn.Sequential()
    in_channels = 1
    for i, (num_convs, out_channels) in enumerate(conv_arch):
        # each vgg_block halves height and width
        net.add_module("vgg_block_" + str(i + 1), vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    net.add_module("fc", nn.Sequential(FlattenLayer(),
                                       nn.Linear(in_channels * 7 * 7, fc_hidden_units),
                                       nn.ReLU(),
                                       nn.Dropout(0.5),
                                       nn.Linear(fc_hidden_units, fc_hidden_units),
                                       nn.ReLU(),
                                       nn.Dropout(0.5),
                                       nn.Linear(fc_hidden_units, 10)))
    return net
