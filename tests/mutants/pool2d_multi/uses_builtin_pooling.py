"""Calls F.max_pool2d / F.avg_pool2d: right values, but the exercise is to write it.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def pool2d_multi(X, pool_size, padding=0, stride=None, mode='max'):
    pool = F.max_pool2d if mode == 'max' else F.avg_pool2d
    return pool(X[None], pool_size, stride=stride, padding=padding)[0]
