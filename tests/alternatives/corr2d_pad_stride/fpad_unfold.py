"""F.pad for the zeros and Tensor.unfold with the stride as the step: vectorised.

advice: none
"""
import torch.nn.functional as F


def corr2d_pad_stride(X, K, padding=0, stride=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    kh, kw = K.shape
    P = F.pad(X, (pw, pw, ph, ph))
    windows = P.unfold(0, kh, sh).unfold(1, kw, sw)
    return (windows * K).sum(dim=(-1, -2))
