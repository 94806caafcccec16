"""Builds the decoder on an nn.LSTM (the course notebooks' variant) where the docstring pins
nn.GRU: fed the encoder's GRU state, one tensor (num_layers, batch_size, num_hiddens), it
expects a pair (h, c).  The failures name the contract plainly, not torch's internal error
(tests/test_partial_credit.py checks the message).

kills: decoder_book_example_shapes, decoder_output_shapes, decoder_has_the_book_layers, decoder_matches_reference, decoder_applies_dropout, learns_with_an_encoder
"""
import torch
from torch import nn


class Seq2SeqDecoder(Decoder):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqDecoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.LSTM(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        # the course's notebooks: the context is the top layer of h, the first of (h, c)
        context = state[0][-1].repeat(X.shape[0], 1, 1)
        output, state = self.rnn(torch.cat((X, context), 2), state)
        return self.dense(output).permute(1, 0, 2), state
