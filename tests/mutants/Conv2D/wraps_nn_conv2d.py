"""Wraps nn.Conv2d instead of building the layer on corr2d.

kills: has_weight_and_bias, forward_book_example, learns_edge_kernel, forward_matches_corr2d_plus_bias, does_not_call_builtin
"""
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, kernel_size)

    def forward(self, x):
        return self.conv(x[None, None])[0, 0]
