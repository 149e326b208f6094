"""What the MCP server adds to a trivial cell: `execute` over stdio against sciwand's own execute, one run.

    .venv/bin/python -m benchmarks.mcp [--repeats 1000]

The baseline is what the server itself does per call, in this process: a ``KernelSession`` wrapped by
``RecoveringKernel`` (sciwand's execute, journal included), its kernel set up as a server session's (the
domain preamble imported: matplotlib's inline backend, for one, adds work to every cell). The MCP side is
the SDK's own client driving ``sciwand mcp`` over stdio: JSON-RPC both ways, the SDK's dispatch, the
transcript, the hints and the structured result. Calls alternate, one of each, so both see the same
machine; the first round warms up. The target (issue 16): the MCP round trip costs at most 2 ms more than
the baseline (median).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from assistant.engine.prompts import KERNEL_SETUP
from kernels import KernelSession
from kernels.recovery import RecoveringKernel

TARGET_MS = 2.0


async def measure(repeats: int) -> tuple[list[float], list[float]]:
    """Seconds per trivial execute: (sciwand's own, over MCP), alternating."""
    sciwand = str(Path(sys.executable).with_name("sciwand"))
    with tempfile.TemporaryDirectory() as scratch:
        args = ["mcp", "--workdir", scratch, "--transcripts", str(Path(scratch) / "transcripts")]
        params = StdioServerParameters(command=sciwand, args=args)
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            await client.call_tool("execute", {"code": "pass"})  # starts the session's kernel
            with KernelSession() as kernel:
                own = RecoveringKernel(kernel)
                own.execute(KERNEL_SETUP)  # the same kernel state as a server session's: the domain preamble
                direct, over_mcp = [], []
                for _ in range(repeats + 1):
                    started = time.perf_counter()
                    await asyncio.to_thread(own.execute, "pass")
                    direct.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    result = await client.call_tool("execute", {"code": "pass"})
                    over_mcp.append(time.perf_counter() - started)
                    assert not result.isError, result
    return direct[1:], over_mcp[1:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1000)
    args = parser.parse_args(argv)
    direct, over_mcp = asyncio.run(measure(args.repeats))
    runs = {"direct": direct, "mcp": over_mcp}
    ms = {name: statistics.median(times) * 1000 for name, times in runs.items()}
    p90 = {name: statistics.quantiles(times, n=10)[-1] * 1000 for name, times in runs.items()}
    added = ms["mcp"] - ms["direct"]
    print(f"{'trivial execute, ' + str(args.repeats) + ' each, alternating':<46} {'median':>9} {'p90':>9}")
    print(f"{'sciwand execute (KernelSession + recovery)':<46} {ms['direct']:>6.3f} ms {p90['direct']:>6.3f} ms")
    print(f"{'MCP execute over stdio (SDK client)':<46} {ms['mcp']:>6.3f} ms {p90['mcp']:>6.3f} ms")
    verdict = "within" if added <= TARGET_MS else "OVER"
    print(f"{'added by MCP (median)':<46} {added:>6.3f} ms  ({verdict} the {TARGET_MS:g} ms target)")


if __name__ == "__main__":
    main()
