"""A batch_first GRU, its output permuted to time-major afterwards; hidden layers named freely."""
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embed_size)
        self.gru = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout, batch_first=True)

    def forward(self, X, *args):
        outputs, state = self.gru(self.emb(X))
        return outputs.transpose(0, 1), state
