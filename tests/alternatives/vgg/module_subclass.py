"""A Module subclass: features and classifier registered in reverse order, forward written
out with functional ReLU and dropout(training=self.training).

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class VGG(nn.Module):
    def __init__(self, conv_arch):
        super().__init__()
        last = conv_arch[-1][1]
        self.fc3 = nn.Linear(4096, 10)
        self.fc2 = nn.Linear(4096, 4096)
        self.fc1 = nn.Linear(last * 7 * 7, 4096)
        blocks, in_channels = [], 1
        for num_convs, out_channels in conv_arch:
            blocks.append(vgg_block(num_convs, in_channels, out_channels))
            in_channels = out_channels
        self.features = nn.Sequential(*blocks)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), p=0.5, training=self.training)
        return self.fc3(x)


def vgg(conv_arch):
    return VGG(conv_arch)
