"""Returns only the top layer's final state, state[-1], instead of every layer's.

kills: encoder_book_example_shapes, encoder_output_shapes, encoder_matches_reference, learns_with_a_decoder
"""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        output, state = self.rnn(self.embedding(X).permute(1, 0, 2))
        return output, state[-1]
