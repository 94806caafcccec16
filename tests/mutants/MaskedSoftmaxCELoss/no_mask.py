"""Forgets the mask: averages the cross-entropy of every position, padding included.

kills: loss_book_example, matches_masked_cross_entropy, padding_is_ignored
"""
from torch import nn


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return unweighted_loss.mean(dim=1)
