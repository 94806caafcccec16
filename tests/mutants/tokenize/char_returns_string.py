"""token='char' returns each line itself (a string is a sequence of characters, after all)
instead of a list of characters.

kills: char_example, chars_match_list
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [line.split() for line in lines]
    elif token == 'char':
        return [line for line in lines]
    else:
        raise ValueError('unknown token type: ' + token)
