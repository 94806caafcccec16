"""A plain nn.Module: log_softmax and gather by hand, mask with arange, divide by num_steps."""
import torch
import torch.nn.functional as F
from torch import nn


class MaskedSoftmaxCELoss(nn.Module):
    def forward(self, pred, label, valid_len):
        log_probs = F.log_softmax(pred, dim=-1)
        per_step = -log_probs.gather(2, label.unsqueeze(-1)).squeeze(-1)
        keep = torch.arange(label.shape[1], device=label.device)[None, :] < valid_len[:, None]
        return (per_step * keep).sum(dim=1) / label.shape[1]
