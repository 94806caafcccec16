"""Splits on spaces and tabs only (line.replace('\\t', ' ').split(' '), empty pieces dropped): a
newline is whitespace too, so 'machine\\n' (a line read with readlines()) or 'time\\nmachine'
keeps the newline inside a token instead of splitting there as line.split() does.

kills: words_match_str_split
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [[word for word in line.replace('\t', ' ').split(' ') if word] for line in lines]
    elif token == 'char':
        return [list(line) for line in lines]
    else:
        raise ValueError('unknown token type: ' + token)
