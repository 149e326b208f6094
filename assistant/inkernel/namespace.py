"""What the LLM is told about the user's variables: names, types and shapes; the start of a value only for
the variables a question names.

A notebook question is about the data already in the kernel ("which of my molecules pass Lipinski?"), so
the LLM must know that ``mols`` exists and is a list of 12; it must not see every value, which may be large
or private. A variable the question names (``@df``, ``{seq}`` or plainly ``mols``) is shown as much as code
over it needs: a DataFrame's columns, dtypes and first rows, a sequence's length and start, a molecule's SMILES.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterable, Mapping
from typing import Any

# Names kept in the summary, most recently defined first; the rest are counted.
MAX_NAMES = 30
_REFERENCE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z_][A-Za-z0-9_]*)")  # "@df", not an e-mail address or a decorator call


def describe_value(value: Any) -> str:
    """A type and a size: ``DataFrame 12x4 (columns: name, smiles, …)``, ``list of 12 Mol``, ``str, 48 chars``."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        text = f"{kind} {'x'.join(map(str, shape))}"
        dtype = getattr(value, "dtype", None)
        if dtype is not None:
            text += f" {dtype}"
        columns = getattr(value, "columns", None)
        if columns is not None:
            names = [str(c) for c in list(columns)[:8]]
            text += f" (columns: {', '.join(names)}{', …' if len(columns) > 8 else ''})"
        return text
    if isinstance(value, str | bytes):
        return f"{kind}, {len(value)} chars"
    if isinstance(value, Mapping):
        keys = [repr(k) for k in list(value)[:5]]
        return f"{kind} of {len(value)} (keys: {', '.join(keys)}{', …' if len(value) > 5 else ''})"
    if isinstance(value, list | tuple | set | frozenset):
        kinds = sorted({type(item).__name__ for item in list(value)[:50]})
        of = f" {'/'.join(kinds)}" if 0 < len(kinds) <= 2 else ""
        return f"{kind} of {len(value)}{of}"
    if isinstance(value, types.FunctionType):
        return "function"
    return kind


def _shown(name: str, value: Any, hidden: Iterable[str]) -> bool:
    return not (
        name.startswith("_")
        or name in hidden
        or isinstance(value, types.ModuleType | type)
        or (callable(value) and not isinstance(value, types.FunctionType))
    )


def summarize_namespace(namespace: Mapping[str, Any], hidden: Iterable[str] = (), must_show: Iterable[str] = ()) -> str:
    """One line per user variable, newest first; ``must_show`` names (referenced ones) always included."""
    hidden = set(hidden)
    names = [name for name, value in namespace.items() if _shown(name, value, hidden)]
    names.reverse()
    wanted = [name for name in must_show if name in namespace]
    chosen = list(dict.fromkeys([*wanted, *names]))[: max(MAX_NAMES, len(wanted))]
    if not chosen:
        return ""
    lines = [f"- {name}: {describe_value(namespace[name])}" for name in chosen]
    if len(names) > len(chosen):
        lines.append(f"- … and {len(names) - len(chosen)} more")
    return "Variables already in the kernel (use them by name, do not redefine them):\n" + "\n".join(lines)


# A referenced scalar or string this short is shown with its value: the user pointed at it explicitly.
SHOWN_VALUE_CHARS = 400


def resolve_references(question: str, namespace: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Turn ``{name}`` into the variable's name in backticks; return the names referenced.

    A short string or number also shows its value (``{seq}`` -> ``seq`` (= 'ATG…')), as IPython's own
    ``{var}`` expansion would, so a small model does not invent one; anything larger is named only.
    Braces around anything that is not a variable are left alone (``{x | x > 0}`` stays as written).
    """
    referenced: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in namespace:
            return match[0]
        referenced.append(name)
        value = namespace[name]
        if (
            isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and len(repr(value)) <= SHOWN_VALUE_CHARS
        ):
            return f"`{name}` (= {value!r})"
        return f"`{name}`"

    return _REFERENCE.sub(replace, question), list(dict.fromkeys(referenced))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def resolve_mentions(question: str, namespace: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Turn ``@name`` into the variable's name in backticks; return the names mentioned. An ``@word`` that is
    no variable is left as written."""
    mentioned: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match[1] not in namespace:
            return match[0]
        mentioned.append(match[1])
        return f"`{match[1]}`"

    return _MENTION.sub(replace, question), list(dict.fromkeys(mentioned))


def question_with_context(shell: Any, question: str) -> tuple[str, str]:
    """The question with ``@name`` and ``{name}`` references resolved, and the summary of ``shell``'s variables:
    one line each, and for those the question names, what code over them needs (``describe_mention``).

    Runs where the variables are: in the magic's own kernel, or sent into a kernel sciwand holds (batch and
    ``sciwand run`` execute ``%%ask`` cells that way; the panel, the persona and MCP ask it silently).
    IPython's own names and the untouched preamble names are left out: the system prompt describes those.
    """
    namespace, hidden = shell.user_ns, _hidden(shell)
    question, mentioned = resolve_mentions(question, namespace)
    question, referenced = resolve_references(question, namespace)
    named = [word for word in _IDENTIFIER.findall(question) if word in namespace]
    wanted = list(dict.fromkeys([*mentioned, *referenced, *named]))
    summary = summarize_namespace(namespace, hidden, must_show=wanted)
    shown = [name for name in wanted if _shown(name, namespace[name], hidden)]
    if shown:
        lines = "\n".join(f"- {name}: {describe_mention(namespace[name])}" for name in shown)
        summary = f"{summary}\n\nThe question names these variables:\n{lines}"
    return question, summary


def _hidden(shell: Any) -> set[str]:
    """IPython's own names and the preamble's names the user has not rebound."""
    namespace = shell.user_ns
    hidden = set(shell.user_ns_hidden)
    preamble = sys.modules.get("domain_tools.preamble")
    if preamble is not None:
        hidden |= {name for name in preamble.__all__ if namespace.get(name) is getattr(preamble, name)}
    return hidden


def user_variables(shell: Any) -> list[list[str]]:
    """``[name, description]`` of every user variable of ``shell``, newest first (the MCP ``variables`` tool)."""
    namespace, hidden = shell.user_ns, _hidden(shell)
    names = [name for name, value in namespace.items() if _shown(name, value, hidden)]
    return [[name, describe_value(namespace[name])] for name in reversed(names)]


def completion_names(shell: Any) -> str:
    """The names code typed in this kernel can use, one per line: the user's variables (newest first, with
    type and size) and the preamble's names the kernel holds (``Chem``, ``u``, ``chem``, …)."""
    lines = [f"{name}: {description}" for name, description in user_variables(shell)[:MAX_NAMES]]
    preamble = sys.modules.get("domain_tools.preamble")
    imported = [name for name in getattr(preamble, "__all__", ()) if name in shell.user_ns]
    if imported:
        lines.append(f"imported: {', '.join(imported)}")
    return "\n".join(lines)


# A peek shows this many items of a collection, each clipped to this many characters.
PEEK_ITEMS = 4
PEEK_CHARS = 60


def _peek_value(value: Any) -> str:
    """Type, size and the first items: enough for a model to write a loop over it without printing it first."""
    described = describe_value(value)

    def clip(item: Any) -> str:
        text = repr(item)
        return text if len(text) <= PEEK_CHARS else text[: PEEK_CHARS - 1] + "…"

    items: list[str] = []
    if isinstance(value, Mapping):
        items = [f"{clip(k)}: {clip(v)}" for k, v in list(value.items())[:PEEK_ITEMS]]
    elif isinstance(value, list | tuple):
        items = [clip(item) for item in value[:PEEK_ITEMS]]
    elif hasattr(value, "head") and hasattr(value, "columns"):  # a DataFrame: its first rows, as records
        items = [clip(record) for record in value.head(PEEK_ITEMS).to_dict("records")]
    elif hasattr(value, "__len__") and hasattr(value, "__getitem__") and not isinstance(value, str | bytes):
        try:
            items = [clip(value[i]) for i in range(min(PEEK_ITEMS, len(value)))]
        except Exception:  # a sized object that cannot be indexed by position
            items = []
    else:
        return f"{described}: {clip(value)}"
    size = len(value)
    more = f", … ({size - PEEK_ITEMS} more)" if size > PEEK_ITEMS else ""
    return f"{described}: {', '.join(items)}{more}" if items else described


# A mentioned DataFrame shows this many columns with their dtypes and this many rows; a sequence its first letters.
MENTION_COLUMNS = 12
MENTION_ROWS = 3
SEQUENCE_START = 60


def describe_mention(value: Any) -> str:
    """What code over a named variable needs: a DataFrame's columns, dtypes and first rows, a sequence's length
    and start, a molecule's SMILES; anything else its type, size and first items (``_peek_value``)."""
    kind = type(value).__name__
    if hasattr(value, "dtypes") and hasattr(value, "columns") and hasattr(value, "head"):
        columns = [f"{name} ({dtype})" for name, dtype in list(value.dtypes.items())[:MENTION_COLUMNS]]
        more = f", … ({len(value.columns) - MENTION_COLUMNS} more)" if len(value.columns) > MENTION_COLUMNS else ""
        rows = value.head(MENTION_ROWS).to_dict("records")
        return f"{kind} {len(value)} rows; columns: {', '.join(columns)}{more}; first rows: {rows!r}"[:1200]
    smiles = _smiles(value)
    if smiles is not None:
        return f"{kind}, SMILES {smiles}"
    letters = _sequence_letters(value)
    if letters is not None:
        start = letters[:SEQUENCE_START] + ("…" if len(letters) > SEQUENCE_START else "")
        name = getattr(value, "id", None)
        named = f" {name!r}," if isinstance(name, str) and name else ""
        return f"{kind},{named} {len(letters):,} letters: {start}"
    return _peek_value(value)


def _smiles(value: Any) -> str | None:
    """A molecule's SMILES, when ``value`` is an RDKit molecule (RDKit is imported only if the kernel has it)."""
    if type(value).__module__.split(".")[0] != "rdkit" or not hasattr(value, "GetNumAtoms"):
        return None
    from rdkit import Chem

    return Chem.MolToSmiles(value)


_LETTERS = re.compile(r"[A-Za-z*\-]+")


def _sequence_letters(value: Any) -> str | None:
    """The letters of a Biopython Seq or SeqRecord, or of a long string of sequence letters."""
    module = type(value).__module__.split(".")[0]
    if module == "Bio":
        sequence = getattr(value, "seq", value)
        try:
            return str(sequence)
        except Exception:  # an undefined sequence (Seq(None, length)) has no letters to show
            return None
    if isinstance(value, str) and len(value) >= 20 and _LETTERS.fullmatch(value):
        return value
    return None


def peek_variables(shell: Any, names: list[str]) -> str:
    """What a follow-up question refers to: each named variable of ``shell`` with its type, size and first
    items, so that "which of these" is answered over the whole collection, not its first item."""
    namespace, hidden = shell.user_ns, _hidden(shell)
    shown = [name for name in dict.fromkeys(names) if name in namespace and _shown(name, namespace[name], hidden)]
    lines = [f"- {name}: {_peek_value(namespace[name])}" for name in shown]
    return "The question refers to these variables of the kernel:\n" + "\n".join(lines) if lines else ""
