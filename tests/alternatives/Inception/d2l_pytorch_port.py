"""The PyTorch port of the book (Dive-into-DL-PyTorch): F.relu, paths computed in order.

advice: none
"""
import torch
from torch import nn
import torch.nn.functional as F


class Inception(nn.Module):
    # c1 - c4 are the output channels of each path
    def __init__(self, in_c, c1, c2, c3, c4):
        super(Inception, self).__init__()
        # path 1: a single 1 x 1 convolution
        self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
        # path 2: 1 x 1 then 3 x 3
        self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        # path 3: 1 x 1 then 5 x 5
        self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        # path 4: 3 x 3 max pooling then 1 x 1
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)  # concatenate on the channel dimension
