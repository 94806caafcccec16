"""Pads with 0 (the usual padding index elsewhere) instead of padding_token.

kills: book_example, keeps_prefix_pads_at_end
"""


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [0] * (num_steps - len(line))
