"""Joins the output channels with torch.cat: one tall 2-D output, no channel dimension.

kills: book_example, output_shape, matches_conv2d
"""
import torch


def corr2d_multi_in_out(X, K):
    return torch.cat([corr2d_multi_in(X, k) for k in K], 0)
