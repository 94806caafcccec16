"""Returns one number for the batch (the mean), like an ordinary loss, not one per sequence.

kills: loss_book_example, one_loss_per_sequence, matches_masked_cross_entropy
"""
import torch
from torch import nn


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).mean(dim=1).mean()
