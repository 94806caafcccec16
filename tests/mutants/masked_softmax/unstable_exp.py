"""Writes the softmax by hand as exp(X) * mask / sum, without subtracting the maximum:
exp overflows for large scores and gives nan.  Builds its mask on the CPU.

kills: large_scores, creates_tensors_on_input_device
"""
import torch


def masked_softmax(X, valid_lens):
    b, nq, nk = X.shape
    if valid_lens is None:
        mask = torch.ones(b, nq, nk)
    else:
        lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
        mask = (torch.arange(nk)[None, None, :] < lens[..., None]).float()
    E = torch.exp(X) * mask
    return E / E.sum(dim=-1, keepdim=True)
