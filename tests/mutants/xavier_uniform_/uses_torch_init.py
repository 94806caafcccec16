"""Calls torch's own nn.init.xavier_uniform_.

kills: does_not_call_builtin
"""
import torch
from torch import nn


def xavier_uniform_(tensor, gain=1.0):
    return nn.init.xavier_uniform_(tensor, gain=gain)
