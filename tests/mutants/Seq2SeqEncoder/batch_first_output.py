"""Uses a batch_first GRU and returns its batch-major output (batch, num_steps, num_hiddens).

kills: encoder_book_example_shapes, encoder_output_shapes, encoder_matches_reference
"""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout, batch_first=True)

    def forward(self, X, *args):
        return self.rnn(self.embedding(X))
