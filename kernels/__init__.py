"""Starting, talking to, limiting and recovering Jupyter kernels. Knows nothing of LLMs."""

from kernels._distcheck import refuse_clashes

# Before anything else: another distribution's `kernels` (Hugging Face's) or `assistant` here means mixed files.
refuse_clashes()

from kernels.result import ExecutionResult, KernelError, Output, Status  # noqa: E402
from kernels.session import AsyncKernelSession, KernelConfig  # noqa: E402
from kernels.sync import KernelSession  # noqa: E402

__all__ = [
    "AsyncKernelSession",
    "ExecutionResult",
    "KernelConfig",
    "KernelError",
    "KernelSession",
    "Output",
    "Status",
]
