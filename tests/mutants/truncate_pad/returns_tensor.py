"""Returns a tensor instead of a list (torch.tensor is applied later, by build_array_nmt).

kills: book_example, truncates_long_lines, length_is_num_steps, keeps_prefix_pads_at_end
"""
import torch


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return torch.tensor(line[:num_steps])
    return torch.tensor(line + [padding_token] * (num_steps - len(line)))
