"""Returns one flat list of all the tokens instead of one list per line.

kills: book_example_words, char_example, words_match_str_split, chars_match_list
"""


def tokenize(lines, token='word'):
    if token == 'word':
        return [word for line in lines for word in line.split()]
    elif token == 'char':
        return [c for line in lines for c in line]
    else:
        raise ValueError('unknown token type: ' + token)
