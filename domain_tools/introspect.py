"""A callable's signature and the first line of its docstring, for any of the kernel's libraries.

Shared by the name repair (``domain_tools.names``, run in the kernel after a failed step) and the API
index (``domain_tools.api_index``). ``inspect.signature`` fails on Boost.Python functions (all of RDKit)
and on numpy ufuncs; their docstrings begin with the signature instead, e.g.
``DeleteSubstructs( (Mol)mol, (Mol)query [, (bool)onlyFrags=False]) -> Mol :``, which is parsed and
shortened to ``(mol, query, onlyFrags=False) -> Mol``. Nothing here raises.
"""

from __future__ import annotations

import inspect
import re
from types import MappingProxyType
from typing import Any

SIGNATURE_CHARS = 160  # longer ones (numpy's keyword-heavy ufuncs) are cut with an ellipsis
DOC_CHARS = 160
_DEFAULT_CHARS = 24  # a default value's repr past this shows as "..."

# "Name( args ) -> Ret :" or "name(args)" as a docstring's first line (Boost.Python, numpy, C extensions).
_DOC_SIGNATURE = re.compile(r"^(?:[\w.]+\.)?(\w+)\s*\((.*)\)\s*(?:->\s*(.+?))?\s*:?\s*$")
_OPTIONAL_OPEN = re.compile(r"\[\s*,|^\s*\[\s*|\[\s+(?=\()")
_BOOST_TYPE = re.compile(r"\(\s*[\w:.<>, ]+?\s*\)\s*(?=[A-Za-z_*])")  # "(Mol)mol" -> "mol"
_SECTIONS = frozenset(
    (
        "ARGUMENTS",
        "RETURNS",
        "Arguments",
        "Parameters",
        "Returns",
        "Return",
        "Yields",
        "Raises",
        "Examples",
        "Example",
        "Notes",
        "Note",
        "Attributes",
        "Methods",
        "References",
        "Warnings",
        "Other Parameters",
        "See Also",
        "Usage",
    )
)
_RST_ROLE = re.compile(r"(?::\w+:)?(?<!`)`(~?[^`]+)`(?!`)")
_LAMBDA_CALL = re.compile(r"lambda[^:]*:\s*([A-Za-z_][\w.]*)\s*\(")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`'\"][.!?])(?<!\.\w\.)(?<!\b\w\.)\s")  # not after "i.e." or "x."


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _doc_lines(obj: Any) -> list[str]:
    """The docstring's lines, stripped, blank ones kept (they end paragraphs)."""
    try:
        doc = obj.__doc__ if isinstance(obj.__doc__, str) else None
    except Exception:
        return []
    return [line.strip() for line in doc.strip().splitlines()] if doc else []


def _is_section(line: str) -> bool:
    """Where the summary paragraph stops: numpydoc/RDKit section headers, rules, doctests."""
    return (
        line.startswith(("C++ signature", ">>>", ":param", ":return"))
        or line.rstrip(":").strip() in _SECTIONS
        or (len(line) >= 3 and set(line) <= set("-=~"))
    )


def _from_inspect(obj: Any) -> str | None:
    """``(a, b=1, *args)``: names and short defaults, no annotations (they cost tokens, rarely help)."""
    try:
        sig = inspect.signature(obj)
    except Exception:  # ValueError/TypeError for builtins, Boost.Python, ufuncs; anything from odd objects
        return None
    parts: list[str] = []
    star_done = False
    for index, param in enumerate(sig.parameters.values()):
        if index == 0 and param.name in ("self", "cls"):
            continue
        if param.kind is param.VAR_POSITIONAL:
            parts.append(f"*{param.name}")
            star_done = True
        elif param.kind is param.VAR_KEYWORD:
            parts.append(f"**{param.name}")
        else:
            if param.kind is param.KEYWORD_ONLY and not star_done:
                parts.append("*")
                star_done = True
            if param.default is param.empty:
                parts.append(param.name)
            elif callable(param.default) and not inspect.isclass(param.default):
                continue  # "lambda x, y=rdMolDescriptors.CalcTPSA: y(x)": an implementation detail
            else:
                try:
                    default = param.default.__name__ if inspect.isclass(param.default) else repr(param.default)
                except Exception:
                    default = "..."
                parts.append(f"{param.name}={default if len(default) <= _DEFAULT_CHARS else '...'}")
    return f"({', '.join(parts)})"


def _parse_signature_line(line: str) -> tuple[str, int] | None:
    """``(mol, query, onlyFrags=False) -> Mol`` and its argument count, from one docstring signature line."""
    match = _DOC_SIGNATURE.match(line)
    if match is None:
        return None
    args = match.group(2)
    # Boost.Python marks optional arguments "[, (bool)x=False [, ...]]"; a default may be "[]" itself.
    openers = len(_OPTIONAL_OPEN.findall(args))
    args = _OPTIONAL_OPEN.sub(lambda found: "," if "," in found.group(0) else "", args).rstrip()
    for _ in range(openers):
        args = args[:-1].rstrip() if args.endswith("]") else args
    names = []
    for arg in _BOOST_TYPE.sub("", args).split(","):
        name, equals, default = arg.strip().partition("=")
        if name and name not in ("self", "/"):
            names.append(f"{name}={default if len(default) <= _DEFAULT_CHARS else '...'}" if equals else name)
    returns = (match.group(3) or "").strip().rstrip(":").strip()
    rendered = f"({', '.join(names)})"
    if returns and returns not in ("None", "object"):
        rendered += f" -> {returns}"
    return rendered, len(names)


def _from_doc(lines: list[str], widest: bool = False) -> str | None:
    """The signature a docstring starts with; ``widest``: of Boost.Python's overloads (each a line ending
    in " :"), the one with the most arguments — ``MolFromSmiles(SMILES, sanitize=True, replacements={})``
    rather than the bare ``(SMILES, params)``."""
    first = _parse_signature_line(lines[0]) if lines else None
    if first is None or not widest:
        return first[0] if first else None
    overloads = [_parse_signature_line(line) for line in lines if line.endswith(" :")]
    return max((found for found in overloads if found), key=lambda found: found[1], default=first)[0]


def _lambda_target(obj: Any) -> Any:
    """The function a one-line wrapper calls: RDKit's ``TPSA = lambda *x, **y: rdMolDescriptors.CalcTPSA(*x, **y)``
    has no docstring of its own, its target has."""
    if getattr(obj, "__name__", "") != "<lambda>":
        return None
    try:
        match = _LAMBDA_CALL.search(inspect.getsource(obj))
        if match is None:
            return None
        first, *rest = match.group(1).split(".")
        target = obj.__globals__.get(first)
        for attribute in rest:
            target = getattr(target, attribute)
        return target if callable(target) else None
    except Exception:
        return None


def signature(obj: Any) -> str:
    """``(mol, query, onlyFrags=False) -> Mol``, or "" when the object says nothing about its arguments."""
    target = _lambda_target(obj)
    if target is not None and (_from_inspect(obj) or "").startswith("(*"):
        obj = target  # a pass-through wrapper: the target's arguments are the real ones
    try:
        if inspect.isclass(obj):
            found = _from_inspect(obj)
            if found is None:  # a Boost.Python class: its constructor's docstring has the overloads
                found = (_from_doc(_doc_lines(getattr(obj, "__init__", None))) or "").split(" -> ")[0]
            return _shorten(found, SIGNATURE_CHARS)
        if not callable(obj):
            return ""
        found = _from_inspect(obj)
        if found is None:
            found = _from_doc(_doc_lines(obj), widest=True) or ""
        return _shorten(found, SIGNATURE_CHARS)
    except Exception:
        return ""


def doc_line(obj: Any) -> str:
    """The docstring's first sentence (a leading signature line skipped), or an enum's values."""
    try:
        values = _enum_values(obj)
        if values:
            return _shorten(f"enum: {', '.join(values)}", DOC_CHARS)
        lines = _doc_lines(obj)
        if lines and (callable(obj) or inspect.isclass(obj)) and _from_doc(lines[:1]):
            lines = lines[1:]
        while lines and not lines[0]:
            lines = lines[1:]
        paragraph: list[str] = []
        for line in lines:
            if not line or _is_section(line):
                break
            paragraph.append(line)
        text = _RST_ROLE.sub(_plain_reference, " ".join(paragraph)).replace("``", "")
        match = _SENTENCE_END.search(text)
        if not text and (target := _lambda_target(obj)) is not None:
            return doc_line(target)
        return _shorten(text[: match.start()] if match else text, DOC_CHARS)
    except Exception:
        return ""


def _plain_reference(match: re.Match[str]) -> str:
    """``:func:`~astropy.units.spectral``` -> ``spectral``: the markup costs tokens and means nothing to a model."""
    target = match.group(1)
    return target.rsplit(".", 1)[-1] if target.startswith("~") else target


def _enum_values(obj: Any) -> list[str]:
    """Member names of a Boost.Python enum (``names``) or a Python ``Enum`` class."""
    if not inspect.isclass(obj):
        return []
    names = getattr(obj, "names", None)
    if isinstance(names, dict) and names and all(isinstance(key, str) for key in names):
        return list(names)
    members = getattr(obj, "__members__", None)
    if isinstance(members, dict | MappingProxyType) and members:
        return [str(key) for key in members]
    return []


def describe(obj: Any) -> tuple[str, str]:
    """(signature, first doc line) of ``obj``; either may be empty."""
    return signature(obj), doc_line(obj)
