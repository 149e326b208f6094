"""An index of the public API of the kernel's libraries: name, signature and first docstring line of each.

A small model asked "how many rings does caffeine have" guesses ``Chem.RingCount``; shown the three
best-matching real entries (``rdMolDescriptors.CalcNumRings(mol) -> int: ...``) it calls them instead.
``assistant.engine.api_lookup`` searches this index; this module builds it by importing RDKit, Biopython,
astropy, numpy and scipy and walking their modules and key classes, so it runs in a subprocess of its
own (``python -m domain_tools.api_index``), never in the assistant's process. The result is a JSON file
keyed by the libraries' versions, built once per installed set.

Names are written as the kernel reaches them: the preamble's aliases (``Descriptors.MolWt``, ``u.spectral``,
``np.trapz``, ``SkyCoord.transform_to``, ``Planck18.luminosity_distance``), else the full import path
(``rdkit.Chem.Scaffolds.MurckoScaffold.GetScaffoldForMol``).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import inspect
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from domain_tools.cache import cache_dir as sciwand_cache
from domain_tools.introspect import describe, doc_line

SCHEMA = 1  # bump when the file's layout changes; the walk's own code is hashed into the key as well
DISTRIBUTIONS = ("rdkit", "biopython", "astropy", "numpy", "scipy")
LIBRARY_ROOTS = ("rdkit", "Bio", "astropy", "numpy", "scipy")
MODULE_CAP = 400  # entries per module: enough for rdkit.Chem's real API, bounded for anything odd
CLASS_CAP = 200

# (import path, cap) in walk order: an object reachable from several modules keeps the first one's name,
# so the specific modules come before the grab-bags (Chem, AllChem) that re-export them.
MODULES: tuple[tuple[str, int], ...] = (
    ("rdkit.Chem.rdMolDescriptors", MODULE_CAP),
    ("rdkit.Chem.Descriptors", MODULE_CAP),
    ("rdkit.Chem.Lipinski", MODULE_CAP),
    ("rdkit.Chem.Crippen", MODULE_CAP),
    ("rdkit.Chem", 900),
    ("rdkit.Chem.AllChem", 900),
    ("rdkit.Chem.Draw", MODULE_CAP),
    ("rdkit.Chem.Draw.rdMolDraw2D", MODULE_CAP),
    ("rdkit.Chem.Scaffolds.MurckoScaffold", MODULE_CAP),
    ("rdkit.Chem.rdFingerprintGenerator", MODULE_CAP),
    ("rdkit.Chem.rdChemReactions", MODULE_CAP),
    ("rdkit.Chem.MolStandardize.rdMolStandardize", MODULE_CAP),
    ("rdkit.DataStructs", MODULE_CAP),
    ("rdkit.Chem.rdFMCS", MODULE_CAP),
    ("rdkit.Chem.rdMolAlign", MODULE_CAP),
    ("rdkit.Chem.rdDistGeom", MODULE_CAP),
    ("rdkit.Chem.rdForceFieldHelpers", MODULE_CAP),
    ("rdkit.Chem.rdMolTransforms", MODULE_CAP),
    ("rdkit.Chem.rdDepictor", MODULE_CAP),
    ("rdkit.Chem.rdMolHash", MODULE_CAP),
    ("rdkit.Chem.rdCIPLabeler", MODULE_CAP),
    ("rdkit.Chem.rdPartialCharges", MODULE_CAP),
    ("rdkit.Chem.rdRGroupDecomposition", MODULE_CAP),
    ("rdkit.Chem.rdFreeSASA", MODULE_CAP),
    ("rdkit.Chem.rdShapeHelpers", MODULE_CAP),
    ("rdkit.Chem.rdDetermineBonds", MODULE_CAP),
    ("rdkit.Chem.rdAbbreviations", MODULE_CAP),
    ("rdkit.Chem.Descriptors3D", MODULE_CAP),
    ("rdkit.Chem.GraphDescriptors", MODULE_CAP),
    ("rdkit.Chem.Fragments", MODULE_CAP),
    ("rdkit.Chem.QED", MODULE_CAP),
    ("rdkit.Chem.MACCSkeys", MODULE_CAP),
    ("rdkit.Chem.FilterCatalog", MODULE_CAP),
    ("rdkit.Chem.BRICS", MODULE_CAP),
    ("rdkit.Chem.Recap", MODULE_CAP),
    ("rdkit.Chem.EnumerateStereoisomers", MODULE_CAP),
    ("rdkit.Chem.SaltRemover", MODULE_CAP),
    ("Bio.Seq", MODULE_CAP),
    ("Bio.SeqUtils", MODULE_CAP),
    ("Bio.SeqUtils.MeltingTemp", MODULE_CAP),
    ("Bio.SeqUtils.ProtParam", MODULE_CAP),
    ("Bio.SeqUtils.IsoelectricPoint", MODULE_CAP),
    ("Bio.SeqUtils.CheckSum", MODULE_CAP),
    ("Bio.SeqUtils.lcc", MODULE_CAP),
    ("Bio.SeqRecord", MODULE_CAP),
    ("Bio.SeqFeature", MODULE_CAP),
    ("Bio.SeqIO", MODULE_CAP),
    ("Bio.AlignIO", MODULE_CAP),
    ("Bio.Align", MODULE_CAP),
    ("Bio.Align.substitution_matrices", MODULE_CAP),
    ("Bio.Restriction", MODULE_CAP),
    ("Bio.Data.CodonTable", MODULE_CAP),
    ("Bio.Data.IUPACData", MODULE_CAP),
    ("Bio.PDB", MODULE_CAP),
    ("Bio.PDB.Polypeptide", MODULE_CAP),
    ("Bio.motifs", MODULE_CAP),
    ("astropy.units", 800),
    ("astropy.constants", MODULE_CAP),
    ("astropy.coordinates", MODULE_CAP),
    ("astropy.time", MODULE_CAP),
    ("astropy.cosmology", MODULE_CAP),
    ("astropy.table", MODULE_CAP),
    ("astropy.io.fits", MODULE_CAP),
    ("astropy.io.ascii", MODULE_CAP),
    ("astropy.stats", MODULE_CAP),
    ("astropy.convolution", MODULE_CAP),
    ("astropy.modeling", MODULE_CAP),
    ("astropy.modeling.models", MODULE_CAP),
    ("astropy.modeling.fitting", MODULE_CAP),
    ("astropy.timeseries", MODULE_CAP),
    ("astropy.wcs", MODULE_CAP),
    ("numpy", 700),
    ("numpy.linalg", MODULE_CAP),
    ("numpy.fft", MODULE_CAP),
    ("numpy.random", MODULE_CAP),
    ("scipy", MODULE_CAP),
    ("scipy.constants", MODULE_CAP),
    ("scipy.optimize", MODULE_CAP),
    ("scipy.integrate", MODULE_CAP),
    ("scipy.stats", 600),
)

# Classes whose public methods and properties are indexed too: (import path of the class, or of an instance).
CLASSES: tuple[str, ...] = (
    "rdkit.Chem.Mol",
    "rdkit.Chem.RWMol",
    "rdkit.Chem.Atom",
    "rdkit.Chem.Bond",
    "rdkit.Chem.RingInfo",
    "rdkit.Chem.Conformer",
    "rdkit.Chem.rdChemReactions.ChemicalReaction",
    "rdkit.DataStructs.ExplicitBitVect",
    "Bio.Seq.Seq",
    "Bio.Seq.MutableSeq",
    "Bio.SeqRecord.SeqRecord",
    "Bio.Align.PairwiseAligner",
    "Bio.Align.Alignment",
    "Bio.SeqUtils.ProtParam.ProteinAnalysis",
    "Bio.Restriction.RestrictionBatch",
    "Bio.Restriction.Analysis",
    "Bio.Restriction.EcoRI",  # the class-level API every enzyme shares (site, search, catalyse, ...)
    "Bio.PDB.PDBParser.PDBParser",
    "Bio.PDB.MMCIFParser.MMCIFParser",
    "Bio.PDB.Structure.Structure",
    "Bio.PDB.Chain.Chain",
    "Bio.PDB.Residue.Residue",
    "Bio.PDB.Atom.Atom",
    "Bio.PDB.Superimposer.Superimposer",
    "Bio.PDB.NeighborSearch.NeighborSearch",
    "astropy.coordinates.SkyCoord",
    "astropy.coordinates.Angle",
    "astropy.coordinates.EarthLocation",
    "astropy.time.Time",
    "astropy.time.TimeDelta",
    "astropy.units.Quantity",
    "astropy.units.UnitBase",
    "astropy.cosmology.Planck18",  # an instance: its class's (FLRW) methods, named as the kernel has them
    "astropy.table.Table",
    "astropy.io.fits.HDUList",
    "astropy.io.fits.Header",
)

# Display prefixes for modules the preamble does not import under a name of their own.
EXTRA_ALIASES = {"numpy.linalg": "np.linalg", "numpy.fft": "np.fft", "numpy.random": "np.random"}
# The class whose members a display prefix really names: Planck18's methods live on FLRW, u.Unit's on UnitBase.
CLASS_DISPLAY = {"astropy.units.UnitBase": "u.Unit"}

# Words a question uses that an entry's name and docstring line lack (searched, not shown).
SEARCH_WORDS = {
    "astropy.coordinates.FK5": "precess precession equinox J2000 epoch",
    "astropy.coordinates.FK4": "precess precession equinox B1950 epoch",
    "SkyCoord.transform_to": "convert frame precess",
    "SkyCoord.separation": "angular distance between two coordinates",
    "Descriptors.TPSA": "topological polar surface area",
    "rdMolDescriptors.CalcTPSA": "topological polar surface area",
    "Chem.MolFromSmiles": "parse read molecule",
}

TIME_SCALES = {
    "tai": "International Atomic Time (TAI)",
    "tcb": "Barycentric Coordinate Time (TCB)",
    "tcg": "Geocentric Coordinate Time (TCG)",
    "tdb": "Barycentric Dynamical Time (TDB)",
    "tt": "Terrestrial Time (TT)",
    "ut1": "Universal Time (UT1)",
    "utc": "Coordinated Universal Time (UTC)",
    "local": "local time scale (no conversion)",
}


def versions() -> dict[str, str]:
    """Installed versions of the indexed libraries, read from package metadata (nothing is imported)."""
    found = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def cache_key(library_versions: dict[str, str]) -> str:
    """Changes with any library version, the Python version, the schema and the walk's own code (this
    module and ``introspect``, which render the entries): a sciwand upgrade rebuilds too."""
    here = Path(__file__).parent
    source = b"".join((here / name).read_bytes() for name in ("api_index.py", "introspect.py"))
    material = json.dumps(
        {"schema": SCHEMA, "python": sys.version_info[:2], "versions": library_versions}, sort_keys=True
    ).encode()
    return hashlib.sha256(material + source).hexdigest()[:16]


def default_path(cache_dir: Path | None = None) -> Path:
    """``<cache>/api/index-<key>.json``; the cache is ``$SCIWAND_CACHE_DIR`` or ``~/.cache/sciwand``."""
    if cache_dir is None:
        cache_dir = sciwand_cache()
    return cache_dir / "api" / f"index-{cache_key(versions())}.json"


@dataclass
class _Found:
    """One public name of a walked module, before it is decided under which module the object is shown."""

    module: str  # the walked module's import path
    name: str
    obj: Any
    data_doc: str | None = None  # a plain value's line (units, constants, tables); None for callables


@dataclass
class _Walk:
    """State of one build: the kernel's aliases, the entries so far, the module lines used as search context."""

    progress: Callable[[str], None]
    module_aliases: dict[str, str] = field(default_factory=dict)  # "rdkit.Chem" -> "Chem"
    object_aliases: dict[int, str] = field(default_factory=dict)  # id(SkyCoord) -> "SkyCoord"
    names: dict[int, str] = field(default_factory=dict)  # id(object) -> the display name it got
    entries: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)  # module docstring lines, referenced by index
    _context_index: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, obj: Any, kind: str, context: int, doc: str | None = None) -> None:
        sig, first = describe(obj) if doc is None else ("", doc)
        entry = {"n": name, "s": sig, "d": first, "k": kind, "c": context}
        if name in SEARCH_WORDS:
            entry["w"] = SEARCH_WORDS[name]
        self.entries.append(entry)

    def context(self, module: str) -> int:
        """The search context of a module's members: its docstring's first line (stored once)."""
        if module not in self._context_index:
            self.contexts.append(doc_line(sys.modules.get(module)))
            self._context_index[module] = len(self.contexts) - 1
        return self._context_index[module]

    def prefix(self, module: str) -> str:
        return self.module_aliases.get(module) or EXTRA_ALIASES.get(module) or module


def _quiet_import(path: str) -> ModuleType | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return importlib.import_module(path)
        except Exception:
            return None


def _resolve(path: str) -> Any:
    """An object by dotted path: the longest importable module prefix, then attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        module = _quiet_import(".".join(parts[:split]))
        if module is None:
            continue
        obj: Any = module
        try:
            for attribute in parts[split:]:
                obj = getattr(obj, attribute)
        except Exception:
            return None
        return obj
    return None


def _home(obj: Any) -> str:
    """The module that defines ``obj`` ("rdkit.Chem.rdMolDescriptors"), or ""."""
    if isinstance(obj, functools.partial):
        obj = obj.func
    try:
        module = getattr(obj, "__module__", None) or type(obj).__module__
    except Exception:
        return ""
    return module if isinstance(module, str) else ""


def _from_library(obj: Any) -> bool:
    """Defined in one of the indexed libraries, not a re-export of the standard library or another package."""
    return _home(obj).split(".")[0] in LIBRARY_ROOTS


def _data_doc(module: str, obj: Any) -> str | None:
    """A line for the plain values worth finding: units, constants, cosmologies, Biopython's tables."""
    try:
        kind = type(obj).__name__
        if module == "astropy.units" and kind in ("IrreducibleUnit", "Unit"):
            return f"{doc_line(obj) or obj.name} ({obj.physical_type})"
        if module == "astropy.constants" and all(hasattr(obj, a) for a in ("name", "value", "unit", "reference")):
            return f"{obj.name}: {obj.value:.8g} {obj.unit}"
        if module == "astropy.cosmology" and hasattr(obj, "H0") and not inspect.isclass(obj):
            return f"{kind} cosmology {obj.name}: H0={obj.H0}, Om0={obj.Om0:.4g}"
        if module.startswith("Bio.Data.") and isinstance(obj, dict) and obj:
            key = next(iter(obj))
            return f"dict of {len(obj)} entries, e.g. {key!r}: {str(obj[key])[:60]!r}"
    except Exception:
        return None
    return None


def _is_enzyme(obj: Any) -> bool:
    return type(obj).__name__ == "RestrictionType" or type(type(obj)).__name__ == "RestrictionType"


def _collect(walk: _Walk, path: str) -> list[_Found]:
    """Every public callable, class and indexed value of one module, in name order."""
    module = _quiet_import(path)
    if module is None:
        walk.progress(f"  {path}: not importable, skipped")
        return []
    found = [_Found(path, "", module)]
    enzymes: list[str] = []
    for name in sorted(dir(module)):
        if name[:1] == "_":
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                obj = getattr(module, name)
        except Exception:
            continue
        if isinstance(obj, ModuleType):
            continue
        if _is_enzyme(obj):
            enzymes.append(name)  # ~800 enzymes as classes: one summary line, not 800 entries
        elif callable(obj):
            if _from_library(obj):
                found.append(_Found(path, name, obj))
        elif (doc := _data_doc(path, obj)) is not None:
            found.append(_Found(path, name, obj, doc))
    if enzymes:
        sample = ", ".join(e for e in ("EcoRI", "BamHI", "HindIII", "NotI") if e in enzymes)
        summary = f"{len(enzymes)} restriction enzymes as classes, e.g. {sample}; batches AllEnzymes, CommOnly"
        found.append(_Found(path, "<enzyme>", None, summary))
    return found


def _choose(walk: _Walk, places: list[_Found]) -> _Found:
    """Where an object reachable from several modules is shown: the module that defines it
    (``rdMolDescriptors.CalcNumRings``, not ``AllChem.CalcNumRings``; ``Bio.Seq.MutableSeq``, not
    ``Align.MutableSeq``), else one the kernel has by name (``Chem.MolFromSmiles``), else the first."""
    home = _home(places[0].obj)
    aliased = [place for place in places if place.module in walk.module_aliases]
    for candidates in ([p for p in places if p.module == home], aliased):
        if candidates:
            return candidates[0]
    return places[0]


def _walk_modules(walk: _Walk) -> None:
    found = [item for path, _cap in MODULES for item in _collect(walk, path)]
    places: dict[int, list[_Found]] = {}
    for item in found:
        if item.obj is not None:
            places.setdefault(id(item.obj), []).append(item)
    caps = dict(MODULES)
    counts: dict[str, int] = dict.fromkeys(caps, 0)
    for item in found:
        key = id(item.obj)
        if item.obj is not None and (key in walk.names or _choose(walk, places[key]) is not item):
            continue
        if counts[item.module] >= caps[item.module]:
            continue
        prefix = walk.prefix(item.module)
        if not item.name:  # the module itself
            walk.add(prefix, item.obj, "module", walk.context(item.module))
            continue
        display = walk.object_aliases.get(key) or f"{prefix}.{item.name}"
        home = _home(item.obj)
        context = walk.context(home if home in sys.modules and _from_library(item.obj) else item.module)
        if item.data_doc is not None:
            walk.add(display, item.obj, "data", context, item.data_doc)
        else:
            walk.add(display, item.obj, "class" if inspect.isclass(item.obj) else "function", context)
        if item.obj is not None:
            walk.names[key] = display
        counts[item.module] += 1
    for path, count in counts.items():
        walk.progress(f"  {path}: {count} names")


def _is_property(member: Any) -> bool:
    return (
        isinstance(member, property)
        or inspect.isgetsetdescriptor(member)
        or inspect.ismemberdescriptor(member)
        or (type(member).__name__ in ("lazyproperty", "classproperty") and not callable(member))
    )


def _walk_class(walk: _Walk, path: str) -> None:
    """Public methods and properties of a key class (or of an instance's class, named as the instance)."""
    obj = _resolve(path)
    if obj is None or isinstance(obj, ModuleType):
        walk.progress(f"  {path}: not found, skipped")
        return
    cls = obj if inspect.isclass(obj) else type(obj)
    owner, _, name = path.rpartition(".")
    display = walk.object_aliases.get(id(obj)) or CLASS_DISPLAY.get(path) or walk.names.get(id(obj))
    display = display or f"{walk.prefix(owner)}.{name}"
    walk.contexts.append(f"{cls.__name__} {doc_line(cls)}")
    context = len(walk.contexts) - 1
    added = 0
    for member_name in sorted(dir(cls)):
        if member_name[:1] == "_" or added >= CLASS_CAP:
            continue
        try:
            member = inspect.getattr_static(cls, member_name)
        except Exception:
            continue
        if isinstance(member, classmethod | staticmethod):
            member = member.__func__
        if _is_property(member):
            walk.add(f"{display}.{member_name}", member, "property", context, doc_line(member))
        elif callable(member) and not inspect.isclass(member):
            walk.add(f"{display}.{member_name}", member, "method", context)
        else:
            continue
        added += 1
    added += _special_members(walk, path, display, context)
    walk.progress(f"  {path}: {added} members")


def _special_members(walk: _Walk, path: str, display: str, context: int) -> int:
    """Attributes that classes serve through ``__getattr__``: Time's formats and scales, SkyCoord's frames."""
    lines: list[tuple[str, str]] = []
    if path == "astropy.time.Time":
        time_class = _resolve(path)
        for fmt, format_class in sorted(getattr(time_class, "FORMATS", {}).items()):
            described = doc_line(format_class)
            lines.append((fmt, f"the time in '{fmt}' format: {described} (input: Time(value, format='{fmt}'))"))
        for scale in getattr(time_class, "SCALES", ()):
            named = TIME_SCALES.get(scale, scale)
            lines.append((scale, f"this time converted to the {named} scale (input: Time(value, scale='{scale}'))"))
    elif path == "astropy.coordinates.SkyCoord":
        graph = getattr(_quiet_import("astropy.coordinates"), "frame_transform_graph", None)
        for frame in sorted(graph.get_names()) if graph is not None else []:
            frame_class = graph.lookup_name(frame)
            described = doc_line(frame_class)
            lines.append((frame, f"this coordinate transformed to the {frame_class.__name__} frame: {described}"))
    for name, doc in lines:
        walk.add(f"{display}.{name}", None, "property", context, doc)
    return len(lines)


def _preamble_aliases(walk: _Walk) -> None:
    """The kernel's own names (``domain_tools.preamble.__all__``): modules by alias, objects by name."""
    preamble = _quiet_import("domain_tools.preamble")
    for alias in getattr(preamble, "__all__", []):
        obj = getattr(preamble, alias, None)
        if isinstance(obj, ModuleType):
            walk.module_aliases.setdefault(obj.__name__, alias)
        elif obj is not None:
            walk.object_aliases[id(obj)] = alias


def build(path: Path, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Walk the libraries and write the index to ``path`` (atomically); returns its summary."""
    started = time.monotonic()
    walk = _Walk(progress or (lambda line: print(line, file=sys.stderr, flush=True)))
    walk.progress("sciwand: building the API index of rdkit, Bio, astropy, numpy, scipy (once per install)")
    _preamble_aliases(walk)
    _walk_modules(walk)
    for class_path in CLASSES:
        _walk_class(walk, class_path)
    seconds = time.monotonic() - started
    summary = {"entries": len(walk.entries), "seconds": round(seconds, 2), "versions": versions()}
    document = {"schema": SCHEMA, **summary, "contexts": walk.contexts, "entries": walk.entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    try:
        partial.write_text(json.dumps(document, separators=(",", ":")))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    summary["bytes"] = path.stat().st_size
    walk.progress(f"sciwand: API index of {len(walk.entries)} names written to {path} in {seconds:.1f} s")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to write the index (default: the sciwand cache)")
    args = parser.parse_args(argv)
    target = args.out or default_path()
    build(target)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
