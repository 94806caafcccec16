"""Decides whether the corpus is a list of lines by looking at tokens[0] without checking that
there is one: an empty corpus (Vocab([], reserved_tokens=[...]), a vocabulary of the special
tokens only) raises IndexError instead of giving '<unk>' and the reserved tokens.

kills: matches_reference, indices_are_a_bijection
"""
import collections


class Vocab:
    def __init__(self, tokens, min_freq=0, reserved_tokens=None):
        reserved_tokens = [] if reserved_tokens is None else reserved_tokens
        if isinstance(tokens[0], list):
            tokens = [token for line in tokens for token in line]
        freqs = sorted(collections.Counter(tokens).items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ["<unk>"] + list(reserved_tokens)
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]

    @property
    def unk(self):
        return 0
