"""Slice first (a copy), then extend the copy.

advice: none
"""


def truncate_pad(line, num_steps, padding_token):
    result = list(line[:num_steps])
    while len(result) < num_steps:
        result.append(padding_token)
    return result
