"""Puts the padding before the tokens (left padding).

kills: book_example, keeps_prefix_pads_at_end
"""


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    return [padding_token] * (num_steps - len(line)) + line
