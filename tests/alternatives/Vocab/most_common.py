"""Counter.most_common(), a filter with continue, dict.setdefault, and map for lists.

advice: none
"""
from collections import Counter


class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        if tokens and not isinstance(tokens[0], str):
            tokens = [tk for line in tokens for tk in line]
        self.token_to_idx = {}
        self.idx_to_token = []
        for tk in ['<unk>', *(reserved_tokens or [])]:
            self._add(tk)
        for tk, n in Counter(tokens).most_common():
            if n < min_freq:
                continue
            self._add(tk)

    def _add(self, tk):
        if tk not in self.token_to_idx:
            self.token_to_idx[tk] = len(self.idx_to_token)
            self.idx_to_token.append(tk)

    def __len__(self):
        return len(self.token_to_idx)

    def __getitem__(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return list(map(self.__getitem__, tokens))
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[i] for i in indices]
        return self.idx_to_token[indices]
