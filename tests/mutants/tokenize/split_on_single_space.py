"""Splits on a single space, line.split(' '): empty tokens for runs of spaces, [''] for an
empty line, and tabs stay inside words.

kills: book_example_words, words_match_str_split
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split(' ') for line in lines]
    elif token == 'char':
        return [list(line) for line in lines]
    else:
        raise ValueError('unknown token type: ' + token)
