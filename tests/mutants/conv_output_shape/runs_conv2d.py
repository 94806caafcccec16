"""Runs F.conv2d on zeros and reads the shape: right, but not the formula.

kills: does_not_call_builtin
"""
import torch
import torch.nn.functional as F


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    out = F.conv2d(torch.zeros(1, 1, *input_shape), torch.zeros(1, 1, *kernel_shape),
                   padding=padding, stride=stride)
    return tuple(out.shape[-2:])
