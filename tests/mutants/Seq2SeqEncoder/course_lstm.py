"""The course notebook's encoder: an nn.LSTM where the docstring pins nn.GRU, so the state is a
pair (h, c).  The exercise pins the recurrent cell, and the failures say so plainly
(tests/test_partial_credit.py checks the message).

kills: encoder_book_example_shapes, encoder_output_shapes, encoder_has_the_book_layers, accepts_extra_arguments, encoder_matches_reference, encoder_applies_dropout, learns_with_a_decoder
"""
from torch import nn


class Seq2SeqEncoder(Encoder):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqEncoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.LSTM(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X).permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state
