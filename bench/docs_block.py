"""Writing a bench's results into docs/performance.md between its own markers."""

from __future__ import annotations

from pathlib import Path

PERFORMANCE_DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def docs_block_write(script: str, text: str, heading: str, docs: Path = PERFORMANCE_DOC) -> None:
    """Replace the text between `<!-- bench/<script>: table start/end -->` in the docs, or
    append it under `heading` the first time (so every figure there is a script's output)."""
    start = f"<!-- bench/{script}: table start -->"
    end = f"<!-- bench/{script}: table end -->"
    current = docs.read_text()
    block = f"{start}\n{text}{end}"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        tail = rest.split(end, 1)[1]
        docs.write_text(head + block + tail)
    else:
        docs.write_text(current.rstrip("\n") + f"\n\n## {heading}\n\n" + block + "\n")
