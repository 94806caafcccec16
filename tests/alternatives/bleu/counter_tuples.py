"""n-grams as tuples in Counters, clipped with min(count_pred, count_label), split() on spaces."""
import math
from collections import Counter


def ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(), label_seq.split()
    penalty = math.exp(min(0.0, 1 - len(label) / len(pred)))
    precisions = []
    for n in range(1, min(k, len(pred)) + 1):
        pred_counts, label_counts = ngrams(pred, n), ngrams(label, n)
        matched = sum(min(c, label_counts[g]) for g, c in pred_counts.items())
        precisions.append((matched / (len(pred) - n + 1)) ** (0.5 ** n))
    return penalty * math.prod(precisions)
