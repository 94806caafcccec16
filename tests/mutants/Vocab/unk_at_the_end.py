"""Puts '<unk>' after all the other tokens instead of at index 0 (and looks unknown
tokens up by its index, so the class is consistent with itself).

kills: small_example, lookup_tokens, to_tokens_example, reserved_tokens_follow_unk, min_freq_drops_rare_tokens, one_dimensional_tokens, matches_reference, frequency_order, min_freq_filtering, reserved_tokens_property, unknown_maps_to_zero
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
        self.idx_to_token = list(reserved_tokens)
        for token, freq in freqs:
            if freq >= min_freq and token not in self.idx_to_token:
                self.idx_to_token.append(token)
        self.idx_to_token.append("<unk>")
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        self._unk = self.token_to_idx["<unk>"]

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self._unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]
