"""token='char' drops the spaces ("spaces are not characters of the text").

kills: char_example, chars_match_list
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    elif token == 'char':
        return [[c for c in line if not c.isspace()] for line in lines]
    else:
        raise ValueError('unknown token type: ' + token)
