"""Gets the weights from scaled_dot_product_attention (the identity as keys and values):
right values, but the exercise is to write the masking.

kills: does_not_call_builtin
"""
import torch
import torch.nn.functional as F


def masked_softmax(X, valid_lens):
    b, nq, nk = X.shape
    eye = torch.eye(nk, device=X.device).expand(b, nk, nk)
    mask = None
    if valid_lens is not None:
        lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
        mask = torch.arange(nk, device=X.device)[None, None, :] < lens[..., None]
    return F.scaled_dot_product_attention(X, eye, eye, attn_mask=mask, scale=1.0)
