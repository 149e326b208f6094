"""The real names closest to one the code got wrong, found in the kernel after a failed step.

A small model invents plausible APIs (``Chem.RingCount``, ``from astropy import u``,
``Bio.SeqUtils.melting_temp``) and retries them unless shown what exists. The kernel is the only place
that knows: ``suggest`` reads the failing code and the error, takes the object the code used (``Chem`` in
``Chem.RingCount(mol)``, the ``Mol`` behind ``mol.GetRingCount()``), and matches the missing name against
its ``dir()`` and against the other modules and classes of the namespace (``Descriptors.RingCount``),
case and underscores aside. The assistant calls it silently (``assistant.engine.repair``); it never raises and
takes milliseconds.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import gc
import importlib.util
import inspect
import pkgutil
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from domain_tools.introspect import describe, doc_line

MAX_SUGGESTIONS = 3
CUTOFF = 0.6  # difflib ratio below which a name of the object the code used is not "close"
CROSS_CUTOFF = 0.72  # ... and a name found elsewhere: other modules hold thousands of names, most unrelated
SPREAD = 0.25  # suggestions scoring this much below the best one are noise next to it
# Words a model swaps for the library's: RemoveSubstructs/DeleteSubstructs, GetNumRings/CalcNumRings.
_SWAPS = {"remove": "delete", "delete": "remove", "get": "calc", "calc": "get", "count": "num", "num": "count"}
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MAX_EXPRESSION = 30  # an instance expression longer than this is shown by its type name instead
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit"})
_UNKNOWN = object()  # a candidate whose object is not fetched (instance attributes, unimported modules)

_MODULE_ATTR = re.compile(r"module '([\w.]+)' has no attribute '(\w+)'")
_TYPE_ATTR = re.compile(r"type object '(\w+)' has no attribute '(\w+)'")
_OBJECT_ATTR = re.compile(r"'(\w+)' object has no attribute '(\w+)'")
_NAME = re.compile(r"name '(\w+)' is not defined")
_IMPORT_NAME = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
_DOCSTRING = re.compile(r"""^(?:\s|#[^\n]*\n)*[rRuU]?(?:\"\"\"|''')\s*([^\n]*)""")


@dataclass
class _Candidate:
    name: str  # the bare name matched against the missing one
    display: str  # how code writes it: "Descriptors.RingCount", "from Bio.SeqUtils import MeltingTemp"
    obj: Any = _UNKNOWN
    own: bool = False  # a member of the object the code used
    origin: str = ""  # for a module not imported: its full name, to read its docstring from source
    root: str = ""  # top-level package of where it was found ("rdkit"): same as the code's object ranks higher
    home: bool = True  # found in the module that defines it (rdMolDescriptors, not AllChem, for CalcNumRings)


def suggest(ename: str, evalue: str, code: str, namespace: dict[str, Any]) -> str:
    """Up to three lines, one per real name close to the missing one, with its signature and docstring's
    first line; "" when nothing fits or anything goes wrong (the caller then adds nothing)."""
    collecting = gc.isenabled()
    gc.disable()  # a full collection over the libraries' heap would cost more than the whole search
    try:
        return "\n".join(_suggest(ename, evalue, code, namespace)[:MAX_SUGGESTIONS])
    except Exception:
        return ""
    finally:
        if collecting:
            gc.enable()


def _suggest(ename: str, evalue: str, code: str, namespace: dict[str, Any]) -> list[str]:
    if ename == "AttributeError":
        return _attribute(evalue, code, namespace)
    if ename == "NameError" and (match := _NAME.search(evalue)):
        missing = match.group(1)
        own = [_Candidate(key, key, value, own=True) for key, value in _public(namespace)]
        own += [_Candidate(key, key, getattr(builtins, key)) for key in dir(builtins) if not key.startswith("_")]
        return _rank(missing, own + _across(namespace) + _loaded_modules(), namespace)
    if ename in ("ImportError", "ModuleNotFoundError"):
        if match := _IMPORT_NAME.search(evalue):
            return _import_name(match.group(1), match.group(2), namespace)
        if match := _NO_MODULE.search(evalue):
            return _no_module(match.group(1), namespace)
    return []


# -- where the missing name was looked for ------------------------------------------------------------
def _attribute(evalue: str, code: str, namespace: dict[str, Any]) -> list[str]:
    """The object the code used, from the failing expression in ``code`` or else from the error's type name."""
    target: Any = None
    shown = ""
    if match := _MODULE_ATTR.search(evalue):
        module_name, missing = match.groups()
        target, shown = _used(code, missing, namespace, lambda o: getattr(o, "__name__", None) == module_name)
        if target is None and module_name in sys.modules:
            target = sys.modules[module_name]
            shown = _alias(target, namespace) or module_name
    elif match := _TYPE_ATTR.search(evalue):
        type_name, missing = match.groups()
        target, shown = _used(code, missing, namespace, lambda o: inspect.isclass(o) and o.__name__ == type_name)
        if target is None:
            target, shown = _find_type(type_name, namespace, instances=False)
    elif match := _OBJECT_ATTR.search(evalue):
        type_name, missing = match.groups()
        if type_name == "NoneType":
            return []  # a failed parse or lookup upstream, not a misspelt name
        target, shown = _used(code, missing, namespace, lambda o: type(o).__name__ == type_name)
        if target is None:
            target, shown = _find_type(type_name, namespace, instances=True)
    else:
        return []
    root = _root(target)
    candidates = _members(target, shown, own=True) if target is not None else []
    if isinstance(target, ModuleType):  # ``Chem.Scaffolds`` before anything imported it: import it first
        candidates += _submodules(target.__name__)
    return _rank(missing, candidates + _across(namespace, skip=target, root=root), namespace, root)


def _used(code: str, missing: str, namespace: dict[str, Any], fits: Any) -> tuple[Any, str]:
    """The value of ``X`` in the code's ``X.missing``, when it can be had without running anything."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None, ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == missing:
            value = _resolve(node.value, namespace)
            if value is not None and fits(value):
                text = ast.unparse(node.value)
                shown = text if len(text) <= _MAX_EXPRESSION else type(value).__name__
                return value, shown
    return None, ""


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """``a.b.c`` looked up through modules and classes only: an instance's attribute may be a property."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        if isinstance(owner, ModuleType) or inspect.isclass(owner):
            try:
                return getattr(owner, node.attr)
            except Exception:
                return None
    return None


def _find_type(type_name: str, namespace: dict[str, Any], instances: bool) -> tuple[Any, str]:
    """A variable of type ``type_name`` (its attributes include per-instance ones), else the class itself."""
    if instances:
        for key, value in _public(namespace):
            if type(value).__name__ == type_name and not isinstance(value, ModuleType):
                return value, key
    for key, value in _public(namespace):
        if inspect.isclass(value) and value.__name__ == type_name:
            return value, type_name
        if isinstance(value, ModuleType):
            found = value.__dict__.get(type_name)
            if inspect.isclass(found):
                return found, f"{key}.{type_name}"
    return None, ""


def _members(target: Any, shown: str, own: bool = False) -> list[_Candidate]:
    try:
        names = dir(target)
    except Exception:
        return []
    root = _root(target)
    found = []
    for name in names:
        if name[:1] != "_":
            obj = _member(target, name)
            home = not isinstance(target, ModuleType) or getattr(obj, "__module__", None) == target.__name__
            found.append(_Candidate(name, f"{shown}.{name}", obj, own=own, root=root, home=home))
    return found


def _root(obj: Any) -> str:
    """The top-level package an object comes from: "rdkit" for ``Chem``, ``Descriptors`` or a ``Mol``."""
    try:
        if isinstance(obj, ModuleType):
            return obj.__name__.split(".")[0]
        owner = obj if inspect.isclass(obj) else type(obj)
        return str(owner.__module__).split(".")[0]
    except Exception:
        return ""


def _member(target: Any, name: str) -> Any:
    """The attribute without side effects: a module's dict entry, a class attribute; never an instance's."""
    try:
        if isinstance(target, ModuleType):
            return target.__dict__.get(name, _UNKNOWN)
        owner = target if inspect.isclass(target) else type(target)
        found = inspect.getattr_static(owner, name, _UNKNOWN)
        return found.__func__ if isinstance(found, classmethod | staticmethod) else found
    except Exception:
        return _UNKNOWN


def _across(namespace: dict[str, Any], skip: Any = None, root: str = "") -> list[_Candidate]:
    """Members of the other modules and classes in the namespace: the name may live next door. With a
    ``root``, only that library's and sciwand's helpers: numpy's ``bincount`` is no fix for ``Chem.RingCount``."""
    found: list[_Candidate] = []
    for key, value in _public(namespace):
        if value is skip or not (isinstance(value, ModuleType) or inspect.isclass(value)):
            continue
        if not root or _root(value) in (root, "domain_tools"):
            found += _members(value, key)
    return found


def _loaded_modules() -> list[_Candidate]:
    """Modules already imported somewhere, by their last name: ``MurckoScaffold`` for a NameError."""
    found = []
    for full in list(sys.modules):
        parent, _, last = full.rpartition(".")
        if parent and "._" not in f".{full}" and ".tests" not in full:
            found.append(_Candidate(last, f"from {parent} import {last}", sys.modules[full]))
    return found


def _import_name(missing: str, module_name: str, namespace: dict[str, Any]) -> list[str]:
    value = namespace.get(missing)
    if value is not None and (isinstance(value, ModuleType) or callable(value)):
        what = f"module {value.__name__}" if isinstance(value, ModuleType) else _kind(value)
        return [f"`{missing}` is already defined in the kernel ({what}): delete that import and use `{missing}`."]
    module = sys.modules.get(module_name)
    root = module_name.split(".")[0] if module is not None else ""
    candidates = _submodules(module_name) + (_importable(module, module_name) if module is not None else [])
    return _rank(missing, candidates + _across(namespace, root=root) + _loaded_modules(), namespace, root)


def _no_module(full: str, namespace: dict[str, Any]) -> list[str]:
    parent, _, missing = full.rpartition(".")
    while parent and parent not in sys.modules:  # the deepest package that did import
        parent, _, _ = parent.rpartition(".")
    candidates = _submodules(parent) + (_importable(sys.modules[parent], parent) if parent else [])
    return _rank(missing, candidates + _loaded_modules(), namespace)


def _importable(module: ModuleType, module_name: str) -> list[_Candidate]:
    """``from module_name import X`` for each public X: the module the code imported from is its object."""
    return [
        _Candidate(name, f"from {module_name} import {name}", _member(module, name), own=True)
        for name in dir(module)
        if name[:1] != "_"
    ]


def _submodules(package: str) -> list[_Candidate]:
    """Importable submodules of ``package`` (or top-level modules for ""), found on disk, not imported."""
    try:
        paths = getattr(sys.modules[package], "__path__", None) if package else None
        if package and paths is None:
            return []
        found = []
        for info in pkgutil.iter_modules(paths):
            if info.name[:1] != "_" and info.name != "tests":
                full = f"{package}.{info.name}" if package else info.name
                display = f"from {package} import {info.name}" if package else f"import {info.name}"
                module = sys.modules.get(full, _UNKNOWN)
                found.append(_Candidate(info.name, display, module, own=bool(package), origin=full))
        return found
    except Exception:
        return []


def _public(namespace: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in list(namespace.items()) if k[:1] != "_" and k not in _IPYTHON_NAMES]


# -- choosing and showing ---------------------------------------------------------------------------
def _normal(name: str) -> str:
    return name.lower().replace("_", "")


def _rank(missing: str, candidates: list[_Candidate], namespace: dict[str, Any], root: str = "") -> list[str]:
    """Best first: the same name elsewhere, then the same but for case and underscores, then difflib's
    close names (also of the name with a verb swapped: Remove/Delete, Get/Calc); names of the object the
    code used, of its library, and that extend the missing name (``HybridizationType``) rank higher.
    One line per distinct object."""
    by_normal: dict[str, list[tuple[int, _Candidate]]] = {}
    for order, candidate in enumerate(candidates):
        by_normal.setdefault(_normal(candidate.name), []).append((order, candidate))
    wanted = _normal(missing)
    base: dict[str, float] = {}
    for variant, weight in _variants(missing):
        matcher = difflib.SequenceMatcher(b=variant)
        for key in difflib.get_close_matches(variant, list(by_normal), n=12, cutoff=CUTOFF):
            matcher.set_seq1(key)
            base[key] = max(base.get(key, 0.0), (1.5 if key == variant else matcher.ratio()) * weight)
    scored = []
    for key, ratio in base.items():
        for order, candidate in by_normal[key]:
            if ratio < (CUTOFF if candidate.own else CROSS_CUTOFF):
                continue
            score = 2.0 if candidate.name == missing else ratio
            score += 0.05 * candidate.own + 0.1 * bool(root and candidate.root == root)
            score += 0.05 * (key != wanted and key.startswith(wanted))
            scored.append((-score, not candidate.home, order, candidate))
    scored.sort(key=lambda item: item[:3])
    lines: list[str] = []
    seen: set[int] = set()
    floor = min(-scored[0][0], 1.1) - SPREAD if scored else 0.0
    for negative, _home, _order, candidate in scored:
        identity = id(candidate.obj) if candidate.obj is not _UNKNOWN else id(candidate)
        if identity in seen or (not candidate.own and _is_value(candidate.obj)) or -negative < floor:
            continue
        seen.add(identity)
        lines.append(_render(candidate, namespace))
        if len(lines) == MAX_SUGGESTIONS:
            break
    return lines


def _variants(missing: str) -> list[tuple[str, float]]:
    """The missing name normalised, and with each swappable word swapped (weighted a little lower)."""
    words = _WORDS.findall(missing)
    found = [(_normal(missing), 1.0)]
    for index, word in enumerate(words):
        swap = _SWAPS.get(word.lower())
        if swap:
            found.append(("".join([*words[:index], swap, *words[index + 1 :]]).lower(), 0.97))
    return found


def _is_value(obj: Any) -> bool:
    """Plain data (numbers, strings, units, constants) makes poor suggestions for a misspelt function."""
    if obj is _UNKNOWN or obj is None:
        return False
    return not (callable(obj) or isinstance(obj, ModuleType | property) or inspect.isclass(obj))


def _render(candidate: _Candidate, namespace: dict[str, Any]) -> str:
    obj = candidate.obj
    if isinstance(obj, property):
        doc = doc_line(obj)
        return f"`{candidate.display}` (property)" + (f": {doc}" if doc else "")
    if isinstance(obj, ModuleType) or candidate.origin:
        doc = doc_line(obj) if isinstance(obj, ModuleType) else _source_doc(candidate.origin)
        alias = _alias(obj, namespace) if isinstance(obj, ModuleType) else None
        already = f", already imported as `{alias}`" if alias and alias != candidate.display else ""
        return f"`{candidate.display}` (module{already})" + (f": {doc}" if doc else "")
    if obj is _UNKNOWN:
        return f"`{candidate.display}`"
    if _is_value(obj):
        text = _short_repr(obj)
        return f"`{candidate.display}`" + (f" = {text}" if text else "")
    sig, doc = describe(obj)
    if candidate.display.startswith("from "):
        call = f"{candidate.display}`; `{candidate.name}{sig}" if sig else candidate.display
    else:
        call = f"{candidate.display}{sig}"
    return f"`{call}`" + (f": {doc}" if doc else "")


def _short_repr(obj: Any) -> str:
    try:
        text = " ".join(repr(obj).split())
    except Exception:
        return ""
    return text if len(text) <= 60 else type(obj).__name__


def _source_doc(module_name: str) -> str:
    """A module's docstring's first line read from its source, without importing it."""
    try:
        spec = importlib.util.find_spec(module_name)
        origin = spec.origin if spec else None
        if not origin or not origin.endswith(".py"):
            return ""
        with open(origin, encoding="utf-8") as source:
            match = _DOCSTRING.match(source.read(4096))
        return match.group(1).strip().strip("\"'") if match else ""
    except Exception:
        return ""


def _alias(obj: Any, namespace: dict[str, Any]) -> str | None:
    return next((key for key, value in _public(namespace) if value is obj), None)


def _kind(value: Any) -> str:
    if inspect.isclass(value):
        return f"class {value.__module__}.{value.__qualname__}"
    return f"{type(value).__name__} {getattr(value, '__module__', '') or ''}".strip()
