"""Averages over the valid steps only (divides by valid_len), not over all num_steps as the book.

kills: loss_book_example, matches_masked_cross_entropy, averages_over_all_steps
"""
import torch
from torch import nn


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).sum(dim=1) / valid_len.clamp(min=1)
