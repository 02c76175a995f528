"""How commands talk to people: Rich consoles for results and for errors."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    # Plain print: Rich would wrap long lines and break the JSON for pipes.
    print(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False))
