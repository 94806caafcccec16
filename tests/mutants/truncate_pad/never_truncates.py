"""Only pads: a long line comes back whole ([pad] * negative number is just []).

kills: truncates_long_lines, length_is_num_steps, keeps_prefix_pads_at_end
"""


def truncate_pad(line, num_steps, padding_token):
    return line + [padding_token] * (num_steps - len(line))
