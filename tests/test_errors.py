"""The error kinds of assistant/errors.py: every exception class of the assistant is one of them, and a
front-end (the CLI, in process) turns each into its one line and exit code, with no traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket

import assistant
from assistant.cli.main import EXIT_SETUP, main
from assistant.errors import BackendError, InputError, LLMError, RunStopped, SciwandError


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of the assistant package, by its qualified name."""
    found = {}
    for module_info in pkgutil.walk_packages(assistant.__path__, "assistant."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_exception_of_the_assistant_is_a_sciwand_error():
    classes = exception_classes()
    assert {InputError, BackendError, LLMError, RunStopped} <= set(classes.values())
    # RunStopped is the one exception: the user's stop, a KeyboardInterrupt that no `except Exception` swallows.
    strays = [name for name, kind in classes.items() if not issubclass(kind, SciwandError) and kind is not RunStopped]
    assert not strays, f"derive these from assistant.errors.SciwandError (or use one of its kinds): {strays}"
    assert not issubclass(RunStopped, Exception)
    assert issubclass(InputError, ValueError)  # callers (and older code) catch bad input as ValueError


def closed_port_url() -> str:
    """An address where nothing listens: bound, then closed, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sciwand: "), err  # one line, no traceback
    return code, err[0]


def test_the_cli_turns_each_kind_into_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("[sciwand]\ntimeout = 'soon'\n")
    monkeypatch.setenv("SCIWAND_CONFIG", str(config))
    code, line = run_cli(["ask", "Q?", "--model", "scripted:replies.json"], capsys)
    assert code == EXIT_SETUP and str(config) in line and "timeout must be a number, got 'soon'" in line, line

    monkeypatch.setenv("SCIWAND_CONFIG", str(tmp_path / "no-config.toml"))
    code, line = run_cli(["eval", str(tmp_path / "missing.jsonl"), "--model", "scripted:replies.json"], capsys)
    assert code == EXIT_SETUP and "cannot read the suite" in line and "missing.jsonl" in line, line

    code, line = run_cli(["ask", "Q?", "--model", "nonsense"], capsys)
    assert code == EXIT_SETUP and "--model 'nonsense'" in line, line

    monkeypatch.setenv("SCIWAND_LLM_RETRIES", "0")
    monkeypatch.setenv("SCIWAND_LLM_TIMEOUT", "5")
    url = closed_port_url()
    code, line = run_cli(["ask", "Q?", "--model", "openai:x", "--base-url", url], capsys)
    assert code == EXIT_SETUP and "the LLM call failed" in line and "Connection refused" in line, line
