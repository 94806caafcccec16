"""Never passes dropout to the GRU.

kills: encoder_applies_dropout
"""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers)

    def forward(self, X, *args):
        return self.rnn(self.embedding(X).permute(1, 0, 2))
