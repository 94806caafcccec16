"""One comprehension over the output positions.

advice: none
"""


def truncate_pad(line, num_steps, padding_token):
    return [line[i] if i < len(line) else padding_token for i in range(num_steps)]
