"""Makes the input time-major with reshape instead of permute: right shape, scrambled sequences.

kills: encoder_matches_reference
"""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.reshape(X.shape[1], X.shape[0], X.shape[2])
        return self.rnn(X)
