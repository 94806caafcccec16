"""Pads with torch.cat, calls corr2d on the rows the stride visits, keeps every s_w-th column.

advice: none
"""
import torch


def corr2d_pad_stride(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    kh, kw = K.shape
    h, w = X.shape
    side = X.new_zeros((h, pw))
    P = torch.cat([side, X, side], dim=1)
    band = P.new_zeros((ph, w + 2 * pw))
    P = torch.cat([band, P, band], dim=0)
    rows = [corr2d(P[i:i + kh], K)[0, ::sw] for i in range(0, P.shape[0] - kh + 1, sh)]
    return torch.stack(rows)
