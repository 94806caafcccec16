"""math.floor of a true division, returning a list, with the int-or-pair test inline.

advice: none
"""
import math


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    if not isinstance(padding, (tuple, list)):
        padding = [padding, padding]
    if not isinstance(stride, (tuple, list)):
        stride = [stride, stride]
    return [math.floor((input_shape[d] - kernel_shape[d] + 2 * padding[d]) / stride[d]) + 1
            for d in range(2)]
