"""Forgets the else branch: an unknown token type silently returns None.

kills: unknown_token_type_is_an_error
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    elif token == 'char':
        return [list(line) for line in lines]
