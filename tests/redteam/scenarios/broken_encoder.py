"""A broken Seq2SeqEncoder: ignores its dropout argument and detaches the state (no gradient
reaches it).  Fails encoder_applies_dropout and learns_with_a_decoder."""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers)

    def forward(self, X, *args):
        output, state = self.rnn(self.embedding(X).permute(1, 0, 2))
        return output, state.detach()
