"""Lexical retrieval (Okapi BM25) over short documents: worked examples and API entries.

Offline, deterministic and fast enough to index a few thousand documents per process start; the
question's words are all a 1.5B model's harness has to go on, so exact word overlap (with CamelCase and
snake_case names split into their words) is the signal.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+(?:\.\d+)?")
# Words that say nothing about which document fits a question.
_STOP = "a an and are as at be by do does for from give how i in is it its me my of on or the this to what which with"
STOP_WORDS = frozenset(re.findall(r"\w+", _STOP + " you your"))


def tokens(text: str) -> list[str]:
    """Lowercase words; ``CalcNumRings`` and ``num_rings`` both give ``num`` and ``rings``."""
    return [word.lower() for word in _WORD.findall(text) if word.lower() not in STOP_WORDS]


class BM25:
    """Scores documents against a query; ``top`` returns the indices of the best few with a positive score."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.counts = [Counter(tokens(document)) for document in documents]
        self.lengths = [sum(counts.values()) for counts in self.counts]
        self.average_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self.counts:
            frequency.update(counts.keys())
        total = len(documents)
        self.idf = {word: math.log(1 + (total - n + 0.5) / (n + 0.5)) for word, n in frequency.items()}

    def scores(self, query: str) -> list[float]:
        words = [word for word in dict.fromkeys(tokens(query)) if word in self.idf]
        results = []
        for counts, length in zip(self.counts, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.average_length or 1))
            score = 0.0
            for word in words:
                tf = counts.get(word, 0)
                if tf:
                    score += self.idf[word] * tf * (self.k1 + 1) / (tf + norm)
            results.append(score)
        return results

    def top(self, query: str, k: int) -> list[int]:
        """Indices of the ``k`` best-scoring documents, best first; documents sharing no word are left out."""
        scored = [(score, index) for index, score in enumerate(self.scores(query)) if score > 0]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [index for _, index in scored[:k]]
