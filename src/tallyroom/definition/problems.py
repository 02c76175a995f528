"""Problems found in a definition folder, each with its place: `file:line: field: message`."""

from __future__ import annotations

from dataclasses import dataclass

#: A file with more problems than this stops being read: the first ones tell the story.
MAXIMUM_PROBLEMS_PER_FILE = 50


@dataclass(frozen=True, slots=True)
class DefinitionProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class DefinitionError(Exception):
    """The definition cannot be loaded; `problems` lists every problem found."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class ProblemCollector:
    """Gathers problems per file, keeping at most MAXIMUM_PROBLEMS_PER_FILE of each."""

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []
        self._per_file: dict[str, int] = {}
        self.truncated: set[str] = set()

    def add(self, file: str, line: int, field: str, message: str) -> None:
        count = self._per_file.get(file, 0)
        self._per_file[file] = count + 1
        if count < MAXIMUM_PROBLEMS_PER_FILE:
            self.problems.append(DefinitionProblem(file, line, field, message))
        elif count == MAXIMUM_PROBLEMS_PER_FILE:
            self.truncated.add(file)
            self.problems.append(
                DefinitionProblem(
                    file, line, "-", f"more than {MAXIMUM_PROBLEMS_PER_FILE} problems; stopped"
                )
            )

    def file_is_full(self, file: str) -> bool:
        return file in self.truncated

    def raise_if_any(self) -> None:
        if self.problems:
            raise DefinitionError(self.problems)
