"""Appends the reserved tokens after the corpus's tokens instead of right after '<unk>'.

kills: reserved_tokens_follow_unk, lookup_tokens, to_tokens_example, matches_reference, reserved_tokens_property
"""
import collections


def count_corpus(tokens):
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = [] if tokens is None else tokens
        reserved_tokens = [] if reserved_tokens is None else reserved_tokens
        freqs = sorted(count_corpus(tokens).items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ["<unk>"]
        for token, freq in freqs:
            if freq >= min_freq and token not in self.idx_to_token:
                self.idx_to_token.append(token)
        self.idx_to_token += [t for t in reserved_tokens if t not in self.idx_to_token]
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}

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
