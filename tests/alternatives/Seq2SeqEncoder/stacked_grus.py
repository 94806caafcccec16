"""A stack of one-layer GRUs with nn.Dropout between them: the same network, written out."""
import torch
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.layers = nn.ModuleList(
            [nn.GRU(embed_size if i == 0 else num_hiddens, num_hiddens) for i in range(num_layers)])
        self.dropout = nn.Dropout(dropout)

    def forward(self, X, *args):
        H = self.embedding(X).permute(1, 0, 2)
        states = []
        for i, layer in enumerate(self.layers):
            if i > 0:
                H = self.dropout(H)
            H, state = layer(H)
            states.append(state)
        return H, torch.cat(states, dim=0)
