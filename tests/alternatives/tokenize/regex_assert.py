"""Words with a regular expression, characters with a comprehension, an assert for the type.

advice: none
"""
import re


def tokenize(lines, token='word'):
    assert token in ('word', 'char'), f'unknown token type {token}'
    if token == 'word':
        return [re.findall(r'\S+', line) for line in lines]
    return [[c for c in line] for line in lines]
