"""Batch-major throughout: a batch_first GRU, the context broadcast with expand; output layer
registered first."""
import torch
from torch import nn


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.out = nn.Linear(num_hiddens, vocab_size)
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.gru = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout,
                          batch_first=True)

    def init_state(self, enc_outputs, *args):
        _, state = enc_outputs
        return state

    def forward(self, X, state):
        emb = self.embed(X)                                        # (batch, steps, embed)
        context = state[-1].unsqueeze(1).expand(-1, emb.shape[1], -1)
        hidden, new_state = self.gru(torch.cat([emb, context], dim=-1), state)
        return self.out(hidden), new_state
