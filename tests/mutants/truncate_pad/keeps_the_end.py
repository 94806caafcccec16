"""Truncates from the start: keeps the last num_steps tokens, line[-num_steps:].

kills: truncates_long_lines, keeps_prefix_pads_at_end
"""


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[-num_steps:]
    return line + [padding_token] * (num_steps - len(line))
