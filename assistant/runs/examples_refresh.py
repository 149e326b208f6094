"""``python -m assistant.runs.examples_refresh refresh [--domain D]``: execute every worked example in a real kernel and
write the outputs back into the YAML; ``check`` executes them and only reports stored outputs that differ.

Outputs are never typed by hand, so a library upgrade that changes a number shows up as a diff here (and as
a failing tests/test_examples.py), not as an example that quietly teaches the model a wrong value.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from assistant.runs.examples_run import ExampleError, problems, run_domains
from domain_tools.examples import DOMAINS, Example, dump, load


def _execute(domains: list[str]) -> dict[str, list[Example]] | None:
    """The examples with fresh outputs, per domain; None (after printing every failure) if any failed."""
    banks = {domain: load(domain) for domain in domains}
    started = time.monotonic()
    outcomes = run_domains(banks)
    print(f"executed {sum(map(len, banks.values()))} examples in {time.monotonic() - started:.1f} s", file=sys.stderr)
    failures = [
        f"{domain}/{example.id}: {outcome}"
        for domain, examples in banks.items()
        for example, outcome in zip(examples, outcomes[domain], strict=True)
        if isinstance(outcome, ExampleError)
    ]
    if failures:
        print("\n\n".join(failures), file=sys.stderr)
        print(f"{len(failures)} example(s) failed; nothing was written", file=sys.stderr)
        return None
    return {
        domain: [dataclasses.replace(e, output=str(o)) for e, o in zip(banks[domain], outcomes[domain], strict=True)]
        for domain in domains
    }


def main(argv: list[str] | None = None) -> int:
    prog = "python -m assistant.runs.examples_refresh"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("refresh", "check"))
    parser.add_argument("--domain", choices=DOMAINS, action="append", help="only this domain (repeatable)")
    args = parser.parse_args(argv)
    domains = args.domain or list(DOMAINS)
    fresh = _execute(domains)
    if fresh is None:
        return 1
    changed = [
        f"{domain}/{new.id}"
        for domain in domains
        for old, new in zip(load(domain), fresh[domain], strict=True)
        if old.output != new.output
    ]
    if args.command == "refresh":
        for domain in domains:
            dump(domain, fresh[domain])
        print(f"refreshed {', '.join(domains)}; {len(changed)} output(s) changed", file=sys.stderr)
    elif changed:
        print(f"stored outputs differ for: {', '.join(changed)}", file=sys.stderr)
    else:
        print("every stored output matches", file=sys.stderr)
    found = [f"{e.domain}/{e.id}: {problem}" for domain in domains for e in fresh[domain] for problem in problems(e)]
    if found:
        print("\n".join(found), file=sys.stderr)
    return 1 if found or (args.command == "check" and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
