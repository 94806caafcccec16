"""Treats every token type other than 'word' as 'char' (an if/else instead of if/elif/else).

kills: unknown_token_type_is_an_error
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    else:
        return [list(line) for line in lines]
