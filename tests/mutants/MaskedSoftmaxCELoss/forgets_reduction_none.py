"""Forgets self.reduction = 'none': the parent returns one averaged number, then it is masked.

(The book's example still passes: there every position has the same loss.)
kills: matches_masked_cross_entropy, padding_is_ignored
"""
import torch
from torch import nn


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).mean(dim=1)
