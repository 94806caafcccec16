"""Builds its own mask with <= valid_len: the first padding position still counts.

kills: loss_book_example, matches_masked_cross_entropy, padding_is_ignored
"""
import torch
from torch import nn


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = torch.arange(label.shape[1])[None, :] <= valid_len[:, None]
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).mean(dim=1)
