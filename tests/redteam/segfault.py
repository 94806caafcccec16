"""Dereferences a null pointer.

bwrap: blocked
process: blocked
"""
import ctypes


def corr2d(X, K):
    ctypes.string_at(0)
