"""Feeds the GRU batch-major embeddings: the GRU takes the batch axis for time.

kills: encoder_book_example_shapes, encoder_output_shapes, encoder_matches_reference, learns_with_a_decoder
"""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        output, state = self.rnn(self.embedding(X))
        return output, state
