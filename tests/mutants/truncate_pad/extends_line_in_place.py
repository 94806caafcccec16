"""Pads by extending the caller's list in place and returns it.

kills: does_not_modify_line
"""


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    line.extend([padding_token] * (num_steps - len(line)))
    return line
