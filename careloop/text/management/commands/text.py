"""`careloop text ...`: train, evaluate, import codebooks.

    careloop text train [--organization SLUG] [--codebook NAME] [--seed FILE.csv]
    careloop text evaluate FILE.csv [--organization SLUG] [--codebook NAME] [--kind theme]
                                    [--version ID] [--text-column text] [--labels-column labels]
    careloop text import-codebook FILE.csv --organization SLUG --name NAME
    careloop text import-nhs v6|phase1 --organization SLUG [--from DIR]

Labelled CSV (seed and evaluate): a text column and a labels column; labels are separated by
"|" (theme) or one value (sentiment 1-5, severity 0-3, harm 0-5); an optional "sentiment"
column adds sentiment to seed rows. Junk rows (empty text, unknown labels, bad values, wrong
field count) are counted by reason and skipped, never a crash."""

from __future__ import annotations

import csv
from argparse import ArgumentParser
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from careloop.core.time import utcnow
from careloop.orgs.models import Organization
from careloop.text import themes
from careloop.text.codebooks import (
    NHS_FRAMEWORKS,
    NHS_SOURCE,
    CodebookError,
    CodeRow,
    nhs_framework_rows,
    parse_codebook_csv,
)
from careloop.text.evaluation import report_lines, single_report, theme_report
from careloop.text.learning import Example, codebook_train, model_load, seed_example
from careloop.text.models import HCAT_CODEBOOK_NAME, Code, Codebook, ModelKind, ModelVersion
from careloop.text.services import codebook_import
from careloop.text.suggestions import codebook_hcat_ensure
from careloop.text.themes_features import normalise_text

SINGLE_RANGES = {
    ModelKind.SENTIMENT: (1, 5),
    ModelKind.SEVERITY: (0, 3),
    ModelKind.HARM: (0, 5),
}


@dataclass
class Labelled:
    texts: list[str] = field(default_factory=list)
    labels: list[frozenset[str]] = field(default_factory=list)
    sentiments: list[int | None] = field(default_factory=list)
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def _int_in(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def read_labelled(
    path: Path,
    *,
    text_column: str,
    labels_column: str,
    known: set[str] | None,
    kind: str = ModelKind.THEME,
) -> Labelled:
    """Rows of a labelled CSV; junk rows are counted by reason and skipped."""
    out = Labelled()
    try:
        handle = path.open(encoding="utf-8-sig", newline="", errors="replace")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error) as exc:
            raise CommandError(f"{path.name}: no header row.") from exc
        for needed in (text_column, labels_column):
            if needed not in header:
                raise CommandError(f"{path.name}: no {needed!r} column (found: {header}).")
        t, lab = header.index(text_column), header.index(labels_column)
        s = header.index("sentiment") if "sentiment" in header else None
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                out.read += 1
                out.skipped["not valid CSV"] += 1
                continue
            out.read += 1
            if len(cells) != len(header):
                out.skipped["wrong number of fields"] += 1
                continue
            text = cells[t].strip()
            if normalise_text(text) is None:
                out.skipped["empty or letter-free text"] += 1
                continue
            raw = [x.strip() for x in cells[lab].split("|") if x.strip()]
            if kind != ModelKind.THEME:
                low, high = SINGLE_RANGES[ModelKind(kind)]
                if len(raw) != 1 or _int_in(raw[0], low, high) is None:
                    out.skipped[f"{kind} not a whole number {low}-{high}"] += 1
                    continue
            elif known is not None and any(x not in known for x in raw):
                out.skipped["label not in the codebook"] += 1
                continue
            sentiment = _int_in(cells[s], 1, 5) if s is not None and cells[s].strip() else None
            out.texts.append(text)
            out.labels.append(frozenset(raw))
            out.sentiments.append(sentiment)
    return out


def _print_skipped(command: BaseCommand, data: Labelled) -> None:
    kept = len(data.texts)
    command.stdout.write(f"rows read {data.read}, used {kept}, skipped {data.read - kept}")
    for reason, count in sorted(data.skipped.items()):
        command.stdout.write(f"  skipped ({reason}): {count}")


class Command(BaseCommand):
    help = "Text intelligence: train models, evaluate on a labelled CSV, import codebooks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train and (on improvement) promote models.")
        train.add_argument("--organization", help="Organization slug (default: all).")
        train.add_argument("--codebook", default=HCAT_CODEBOOK_NAME)
        train.add_argument("--seed", type=Path, help="Labelled CSV added to the examples.")
        train.add_argument("--text-column", default="text")
        train.add_argument("--labels-column", default="labels")
        evaluate = sub.add_parser("evaluate", help="Score a model on a labelled CSV.")
        evaluate.add_argument("file", type=Path)
        evaluate.add_argument("--organization")
        evaluate.add_argument("--codebook", default=HCAT_CODEBOOK_NAME)
        evaluate.add_argument("--kind", default=ModelKind.THEME, choices=ModelKind.values)
        evaluate.add_argument("--version", type=int, help="Model version id (default: promoted).")
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--labels-column", default="labels")
        imp = sub.add_parser("import-codebook", help="Import a codebook CSV (all or nothing).")
        imp.add_argument("file", type=Path)
        imp.add_argument("--organization", required=True)
        imp.add_argument("--name", required=True)
        nhs = sub.add_parser("import-nhs", help="Import an NHS framework as a codebook.")
        nhs.add_argument("framework", choices=sorted(NHS_FRAMEWORKS))
        nhs.add_argument("--organization", required=True)
        nhs.add_argument("--from", dest="source_dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            self._train(options)
        elif action == "evaluate":
            self._evaluate(options)
        elif action == "import-codebook":
            self._import_csv(options)
        else:
            self._import_nhs(options)

    # --- helpers ---------------------------------------------------------------------------

    def _organizations(self, slug: str | None) -> list[Organization]:
        if slug is None:
            return list(Organization.objects.order_by("pk"))
        found = Organization.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No organization {slug!r}.")
        return [found]

    def _codebook(self, organization: Organization, name: str) -> Codebook:
        if name == HCAT_CODEBOOK_NAME:
            return codebook_hcat_ensure(organization, now=utcnow())
        found = Codebook.objects.filter(organization=organization, name=name).first()
        if found is None:
            raise CommandError(f"{organization.slug} has no codebook {name!r}.")
        return found

    def _codes(self, codebook: Codebook) -> set[str]:
        return set(Code.objects.filter(codebook=codebook).values_list("code", flat=True))

    # --- train -----------------------------------------------------------------------------

    def _train(self, options: dict[str, Any]) -> None:
        for organization in self._organizations(options["organization"]):
            codebook = self._codebook(organization, options["codebook"])
            seed: list[Example] = []
            if options["seed"] is not None:
                data = read_labelled(
                    options["seed"],
                    text_column=options["text_column"],
                    labels_column=options["labels_column"],
                    known=self._codes(codebook),
                )
                _print_skipped(self, data)
                seed = [
                    seed_example(t, lab, s)
                    for t, lab, s in zip(data.texts, data.labels, data.sentiments, strict=True)
                ]
            self.stdout.write(f"{organization.slug} / {codebook.name}:")
            for outcome in codebook_train(codebook=codebook, now=utcnow(), seed=seed):
                number = f" #{outcome.version.pk}" if outcome.version else ""
                self.stdout.write(f"  {outcome.kind}{number}: {outcome.message}")

    # --- evaluate --------------------------------------------------------------------------

    def _version(self, options: dict[str, Any]) -> ModelVersion:
        if options["version"] is not None:
            found = ModelVersion.objects.filter(pk=options["version"]).first()
            if found is None:
                raise CommandError(f"No model version {options['version']}.")
            return found
        organizations = self._organizations(options["organization"])
        if len(organizations) != 1:
            raise CommandError("Name the organization (--organization) or the --version.")
        codebook = self._codebook(organizations[0], options["codebook"])
        found = ModelVersion.objects.filter(
            codebook=codebook, kind=options["kind"], promoted=True
        ).first()
        if found is None:
            raise CommandError(f"No promoted {options['kind']} model for {codebook.name}.")
        return found

    def _evaluate(self, options: dict[str, Any]) -> None:
        version = self._version(options)
        model = model_load(version)
        known = set(model.label_names) if isinstance(model, themes.ThemeModel) else None
        data = read_labelled(
            options["file"],
            text_column=options["text_column"],
            labels_column=options["labels_column"],
            known=known,
            kind=version.kind,
        )
        self.stdout.write(f"model #{version.pk} ({version.kind}, {version.codebook.name})")
        _print_skipped(self, data)
        if not data.texts:
            raise CommandError("No usable rows to evaluate.")
        if isinstance(model, themes.ThemeModel):
            metrics = theme_report(model, data.texts, data.labels)
        else:
            truth = [next(iter(x)) for x in data.labels]
            metrics = single_report(model, data.texts, truth, version.kind)
        for line in report_lines(metrics):
            self.stdout.write(line)

    # --- codebooks -------------------------------------------------------------------------

    def _create(
        self, organization: Organization, name: str, rows: list[CodeRow], source: str
    ) -> None:
        try:
            codebook = codebook_import(
                organization=organization,
                actor=None,
                name=name,
                rows=rows,
                source=source,
                now=utcnow(),
            )
        except ValidationError as exc:
            raise CommandError("Nothing imported: " + " ".join(exc.messages)) from exc
        self.stdout.write(f"Imported {len(rows)} codes into {name} (codebook #{codebook.pk}).")

    def _import_csv(self, options: dict[str, Any]) -> None:
        [organization] = self._organizations(options["organization"])
        try:
            rows = parse_codebook_csv(Path(options["file"]).read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except CodebookError as exc:
            raise CommandError(
                "Nothing imported:\n" + "\n".join(f"  {p}" for p in exc.problems)
            ) from exc
        self._create(organization, options["name"], rows, f"CSV {Path(options['file']).name}")

    def _import_nhs(self, options: dict[str, Any]) -> None:
        [organization] = self._organizations(options["organization"])
        try:
            rows = nhs_framework_rows(options["framework"], source_dir=options["source_dir"])
        except (CodebookError, OSError, ValidationError) as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        name, _file = NHS_FRAMEWORKS[options["framework"]]
        self._create(organization, name, rows, NHS_SOURCE)
