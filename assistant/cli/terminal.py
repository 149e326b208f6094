"""Shows the loop in a terminal as it happens: streamed tokens, each step's output, the answer."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from assistant.engine.events import Figures, LoopEvents, Step
from assistant.engine.observation import clip, outputs_text

_STATUS_STYLE = {"ok": "green", "error": "red", "timeout": "yellow", "died": "red"}


class TerminalView(LoopEvents):
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def turn(self, number: int) -> None:
        self.console.print(f"\n[dim]── turn {number} ──[/dim]")

    def token(self, text: str) -> None:
        self.console.print(text, end="", style="cyan", markup=False, soft_wrap=True)

    def step(self, step: Step) -> None:
        result = step.result
        status = result.status.value
        body = clip(outputs_text(result).rstrip("\n"), 4000)
        if result.error is not None:
            body += ("\n" if body else "") + "\n".join(result.error.traceback[-3:])
        if result.note:
            body += ("\n" if body else "") + result.note
        title = f"[{_STATUS_STYLE[status]}]{status}[/] in {result.duration:.2f} s"
        self.console.print()
        self.console.print(Panel(body or "(no output)", title=title, title_align="left", expand=False))

    def notice(self, text: str) -> None:
        self.console.print(f"\n[yellow]! {text}[/yellow]")

    def answer(self, text: str | None) -> None:
        self.console.print()
        if text:
            self.console.print(Panel(Markdown(text), title="[bold green]answer[/]", title_align="left"))
        else:
            self.console.print("[bold red]No answer was reached within the turn limit.[/]")

    def finished(self, figures: Figures) -> None:
        self.console.print(f"[dim]{figures.summary()}[/]")
