"""Starting, talking to, limiting and recovering Jupyter kernels. Knows nothing of LLMs."""

from kernels.result import ExecutionResult, KernelError, Output, Status
from kernels.session import AsyncKernelSession, KernelConfig
from kernels.sync import KernelSession

__all__ = [
    "AsyncKernelSession",
    "ExecutionResult",
    "KernelConfig",
    "KernelError",
    "KernelSession",
    "Output",
    "Status",
]
