"""One-hot encodes the tokens as in the RNN-from-scratch chapter instead of an embedding layer.

kills: encoder_has_the_book_layers, encoder_matches_reference
"""
import torch.nn.functional as F
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.rnn = nn.GRU(vocab_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = F.one_hot(X.T, self.vocab_size).float()
        return self.rnn(X)
