"""Values a step makes up: literals it assigns that neither the notebook nor the question shows.

A fix for ``NameError: name 'values' is not defined`` can "work" by defining ``values = [3, 5]``: it runs,
and the numbers are the model's, not the user's. The panel must not offer such a step in place of the
user's cell. A step *invents* a value when it assigns data typed out in its code (a number, a string, a
list, tuple, set or dict of them, or such a list handed to a constructor like ``np.array``) and some of
that data appears nowhere in what the user gave: the notebook's code, the cells' outputs, the question.
Arithmetic on names is not typed-out data, and neither are the constants any code starts from
(``0``, ``1``, ``""``, ``True``, ``None``, ``[]``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# A number as code or prose writes it (unsigned: "x - 3" and "-3" both show 3).
_NUMBER = re.compile(r"(?<![\w.])(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
# Scalars any code may start from without taking them from anywhere.
_TRIVIAL = (0, 1, "")


class KnownValues:
    """The numbers and text the user gave (notebook code, outputs, the question): a step may use these."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.numbers: set[float] = set()
        self.texts: list[str] = []
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        if not text:
            return
        self.texts.append(text)
        for match in _NUMBER.finditer(text):
            number = _as_number(match.group())
            if number is not None:
                self.numbers.add(abs(number))

    def knows(self, value: object) -> bool:
        if value is None or isinstance(value, bool):
            return True
        if isinstance(value, int | float):
            return abs(value) in self.numbers
        if isinstance(value, str):
            return any(value in text for text in self.texts)
        return False  # bytes, complex, Ellipsis: not data a notebook shows as such

    def invented(self, code: str) -> list[str]:
        """What ``code`` assigns data to that the user never gave (its targets as written), in order."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return []
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            leaves = _typed_data(value)
            if leaves is not None and not all(self.knows(leaf) for leaf in leaves):
                names += [name for target in targets for name in _target_names(target) if name not in names]
        return names


def made_up_caveat(names: list[str]) -> str:
    """What a fix's answer says when the steps behind it set ``names`` to data of their own."""
    shown = ", ".join(f"`{name}`" for name in names[:3]) + (", …" if len(names) > 3 else "")
    return (
        f"**Not from your data:** this rests on values made up for {shown}, which no cell or question gives. "
        "Where does the data come from? Load it in a cell, or give it in your question, and ask again."
    )


def invented_names(code: str, known: Iterable[str]) -> list[str]:
    """What ``code`` assigns made-up data to, given the texts the user gave (``known``)."""
    return KnownValues(known).invented(code)


def output_texts(outputs: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The text nbformat outputs show: streams, and the plain text of results and displays."""
    for output in outputs:
        if output.get("output_type") == "stream":
            text = output.get("text", "")
        else:
            text = output.get("data", {}).get("text/plain", "")
        yield "".join(text) if isinstance(text, list) else str(text)


def _typed_data(value: ast.expr) -> list[object] | None:
    """The values typed out in ``value`` if it is data and not a computation (None if it is not data).

    A lone trivial scalar (``0``, ``""``) is no data; an empty container is none either."""
    leaves = _literal_leaves(value)
    if leaves is not None:
        if isinstance(value, ast.Constant | ast.UnaryOp) and leaves and leaves[0] in _TRIVIAL:
            return None
        return leaves
    if isinstance(value, ast.Call):  # np.array([3, 5]), pd.Series({"a": 1}): data through a constructor
        arguments = [*value.args, *(keyword.value for keyword in value.keywords)]
        found = [_literal_leaves(argument) for argument in arguments]
        containers = [argument for argument in arguments if isinstance(argument, _CONTAINERS)]
        if arguments and all(leaves is not None for leaves in found) and containers:
            return [leaf for leaves in found for leaf in leaves or []]
    return None


_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)


def _literal_leaves(node: ast.expr | None) -> list[object] | None:
    """The constants ``node`` is made of, if it is only constants (possibly negated, possibly nested)."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal_leaves(node.operand)
        return inner if inner is not None and all(isinstance(v, int | float) for v in inner) else None
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        parts = [_literal_leaves(item) for item in node.elts]
    elif isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):  # {**other}: not typed-out data
            return None
        parts = [_literal_leaves(item) for item in (*node.keys, *node.values)]
    else:
        return None
    if any(part is None for part in parts):
        return None
    return [leaf for part in parts for leaf in part or []]


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _target_names(item)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    else:
        yield ast.unparse(target)


def _as_number(text: str) -> float | None:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None
