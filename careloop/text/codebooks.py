"""Codebooks as plain data, pure: the HCAT codebook, reading and checking a codebook CSV
(code, label, parent, description, language) and the NHS framework label lists.

A CSV is checked as a whole; any problem (a junk row, a duplicate code, a missing parent, a
cycle) is reported with its line and nothing is imported."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from careloop.cases.models import HCAT_CATEGORIES

COLUMNS = ("code", "label", "parent", "description", "language")
REQUIRED_COLUMNS = ("code", "label")
LANGUAGES = ("en", "es", "it")
MAX_ROWS = 5000
MAX_CODE = 100
MAX_LABEL = 200
MAX_DESCRIPTION = 2000
_CODE_RE = re.compile(r"^[^\x00-\x1f]+$")

DATA_DIR = Path(__file__).resolve().parent / "data"
NHS_FRAMEWORKS = {
    "v6": ("NHS patient experience framework v6", "nhs_v6_framework.csv"),
    "phase1": ("NHS patient experience framework phase 1", "nhs_phase1_framework.csv"),
}
NHS_SOURCE = "pxtextmining (NHS England, MIT licence)"


@dataclass(frozen=True)
class CodeRow:
    code: str
    label: str
    parent: str = ""
    description: str = ""
    language: str = "en"
    severity_max: int | None = None
    hcat_category: str = ""


class CodebookError(ValueError):
    """The CSV cannot be imported; `problems` lists every reason, with line numbers."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


HCAT_DOMAINS = (
    ("clinical", "Clinical", ("sev_quality", "sev_safety")),
    ("management", "Management", ("sev_environment", "sev_institutional")),
    ("relationships", "Relationships", ("sev_listening", "sev_communication", "sev_respect")),
)


def hcat_code(field_name: str) -> str:
    """The HCAT codebook's code for a Case severity field: "sev_quality" -> "quality"."""
    return field_name.removeprefix("sev_")


def hcat_rows() -> list[CodeRow]:
    """HCAT (Gillespie & Reader 2016): 3 domains, 7 problem categories rated 0-3, each
    cross-walked onto its own Case severity field. Stage of care and harm (0-5) are rated per
    case, outside the codes."""
    labels = dict(HCAT_CATEGORIES)
    rows: list[CodeRow] = []
    for code, label, fields in HCAT_DOMAINS:
        rows.append(CodeRow(code=code, label=label, description="HCAT domain"))
        rows.extend(
            CodeRow(
                code=hcat_code(name),
                label=labels[name],
                parent=code,
                description="HCAT problem category, severity 0 not present to 3 high",
                severity_max=3,
                hcat_category=name,
            )
            for name in fields
        )
    return rows


def _cycle_problems(rows: list[CodeRow]) -> list[str]:
    parents = {r.code: r.parent for r in rows if r.parent}
    problems: list[str] = []
    reported: set[str] = set()
    for start in parents:
        seen: list[str] = []
        node = start
        while node in parents and node not in seen:
            seen.append(node)
            node = parents[node]
        if node in seen:
            loop = seen[seen.index(node) :]
            key = min(loop)
            if key not in reported:
                reported.add(key)
                problems.append("Cycle in parents: " + " -> ".join([*loop, node]) + ".")
    return problems


def parse_codebook_csv(content: bytes | str) -> list[CodeRow]:
    """Read and check a codebook CSV; raises CodebookError listing every problem."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CodebookError(["The file is not UTF-8 text."]) from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CodebookError(["The file is empty."]) from None
    except csv.Error as exc:
        raise CodebookError([f"Line 1: not CSV ({exc})."]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        header_problems = [f"Missing column: {c}." for c in missing]
        header_problems += [
            f"Unknown column: {c!r} (allowed: {', '.join(COLUMNS)})." for c in unknown
        ]
        raise CodebookError(header_problems)
    problems: list[str] = []
    rows: list[CodeRow] = []
    lines: dict[str, list[int]] = {}
    try:
        records = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise CodebookError([f"Not valid CSV ({exc})."]) from None
    if len(records) > MAX_ROWS:
        raise CodebookError([f"Too many rows: {len(records)}, the limit is {MAX_ROWS}."])
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"Line {line}: {len(cells)} fields, expected {len(header)}.")
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=True))
        row = CodeRow(
            code=values["code"],
            label=values["label"],
            parent=values.get("parent", ""),
            description=values.get("description", ""),
            language=values.get("language", "") or "en",
        )
        row_problems = _row_problems(row)
        problems.extend(f"Line {line}: {p}" for p in row_problems)
        if not row_problems:
            rows.append(row)
            lines.setdefault(row.code, []).append(line)
    for code, at in lines.items():
        if len(at) > 1:
            problems.append(f"Duplicate code {code!r} on lines {', '.join(map(str, at))}.")
    known = set(lines)
    for row in rows:
        if row.parent and row.parent not in known:
            first = lines[row.code][0]
            problems.append(f"Line {first}: parent {row.parent!r} of {row.code!r} is not a code.")
    if not problems:
        problems.extend(_cycle_problems(rows))
    if not rows and not problems:
        problems.append("The file has no codes.")
    if problems:
        raise CodebookError(problems)
    return rows


def _row_problems(row: CodeRow) -> list[str]:
    problems: list[str] = []
    if not row.code:
        problems.append("the code is empty.")
    elif len(row.code) > MAX_CODE or not _CODE_RE.match(row.code):
        problems.append(f"the code must be 1-{MAX_CODE} printable characters.")
    if not row.label:
        problems.append("the label is empty.")
    elif len(row.label) > MAX_LABEL:
        problems.append(f"the label is longer than {MAX_LABEL} characters.")
    if len(row.description) > MAX_DESCRIPTION:
        problems.append(f"the description is longer than {MAX_DESCRIPTION} characters.")
    if row.language not in LANGUAGES:
        problems.append(f"language {row.language!r} is not one of {', '.join(LANGUAGES)}.")
    if row.parent and row.parent == row.code:
        problems.append(f"{row.code!r} is its own parent.")
    return problems


def nhs_framework_rows(framework: str, *, source_dir: Path | None = None) -> list[CodeRow]:
    """The codes of an NHS framework: from the shipped copy, or rebuilt from the pxtextmining
    files in `source_dir` (v6: the theme columns of v6framework_230831.csv; phase1: major
    category and subcategory of text_data.csv)."""
    if framework not in NHS_FRAMEWORKS:
        raise CodebookError(
            [f"Unknown framework {framework!r}: use {' or '.join(NHS_FRAMEWORKS)}."]
        )
    if source_dir is None:
        return parse_codebook_csv((DATA_DIR / NHS_FRAMEWORKS[framework][1]).read_bytes())
    if framework == "v6":
        return _v6_rows(source_dir / "v6framework_230831.csv")
    return _phase1_rows(source_dir / "text_data.csv")


def _v6_rows(path: Path) -> list[CodeRow]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    if "Comment sentiment" not in header:
        raise CodebookError([f"{path.name}: no 'Comment sentiment' column before the themes."])
    labels = header[header.index("Comment sentiment") + 1 :]
    return [CodeRow(code=label, label=label) for label in labels]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _phase1_rows(path: Path) -> list[CodeRow]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        counts = Counter(
            (r["code"], r["label"], r["subcategory"].strip()) for r in csv.DictReader(handle)
        )
    best: dict[str, tuple[str, str, int]] = {}
    for (code, label, sub), n in counts.items():
        if code not in best or n > best[code][2]:
            best[code] = (label, sub, n)
    majors: list[str] = []
    for code in sorted(best):
        if best[code][0] not in majors:
            majors.append(best[code][0])
    rows = [CodeRow(code=_slug(m), label=m, description="Major category") for m in majors]
    rows += [CodeRow(code=c, label=best[c][1], parent=_slug(best[c][0])) for c in sorted(best)]
    return rows
