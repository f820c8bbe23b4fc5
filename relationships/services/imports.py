"""Importing existing customers from a CSV file: parse, preview every row, then apply the valid rows at once.

Nothing is written until the user applies a preview. The preview travels in a signed hidden field (no model),
and applying re-checks every row inside the transaction, so a row that became a duplicate since the preview
(another import, a colleague adding the customer) stops the whole import instead of half-saving it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, domain_suffix
from customers.services import customer_validate, primary_domain_for
from partnerportal.models import User
from relationships.models import Relationship
from relationships.services.onboarding import customer_onboard

MAX_BYTES = 2 * 1024 * 1024
# Applying runs customer_onboard per row inside one request and one transaction: measured ~20 ms a row on the
# development machine, so 500 rows stay well inside a request timeout. Bigger files are split by the user.
MAX_ROWS = 500
SIGNING_SALT = "relationships.customer_import"
PREVIEW_MAX_AGE = 60 * 60  # seconds a preview can be applied


def _domain_prefix_help() -> str:
    # Read when shown, so the page names the deployment's suffix (PORTAL_DOMAIN_SUFFIX).
    return str(
        _("Letters and digits only; the primary domain is this prefix + %(suffix)s.") % {"suffix": domain_suffix()}
    )


# (column, required, help) — the customer profile fields plus the domain prefix, in template order.
COLUMNS: list[tuple[str, bool, Any]] = [
    ("company_name", True, _("Company legal name, 2–255 characters.")),
    ("domain_prefix", True, lazy(_domain_prefix_help, str)()),
    ("country", True, _("Two-letter country/region code, for example US.")),
    ("address_line1", True, _("Address line 1, up to 200 characters.")),
    ("address_line2", False, _("Address line 2 (optional).")),
    ("city", True, _("City.")),
    ("state", False, _("State/province code or name, where the country has them.")),
    ("postal_code", False, _("Postal code, checked per country.")),
    ("contact_first_name", True, _("Primary contact's first name, up to 40 characters.")),
    ("contact_last_name", True, _("Primary contact's last name, up to 40 characters.")),
    ("contact_email", True, _("Primary contact's email address.")),
    ("contact_phone", False, _("Phone number (required in some countries).")),
    ("registration_id", False, _("Company registration ID (required in some countries).")),
]
COLUMN_NAMES = [name for name, _required, _help in COLUMNS]
REQUIRED_COLUMNS = [name for name, required, _help in COLUMNS if required]
TEMPLATE_EXAMPLE = {
    "company_name": "Adatum Corporation",
    "domain_prefix": "adatumcorp",
    "country": "US",
    "address_line1": "1 Microsoft Way",
    "address_line2": "",
    "city": "Redmond",
    "state": "WA",
    "postal_code": "98052",
    "contact_first_name": "Ana",
    "contact_last_name": "Kim",
    "contact_email": "ana.kim@adatum.example",
    "contact_phone": "+1 425 555 0100",
    "registration_id": "",
}


class ImportFileError(Exception):
    """The uploaded file as a whole cannot be read as a customer CSV (the message says why)."""


@dataclass
class ImportRow:
    """One data row of the file and what the preview says about it."""

    line: int
    values: dict[str, str]
    status: str = "valid"  # valid | invalid | duplicate
    errors: list[str] = field(default_factory=list)
    # A row whose shape is wrong (field count): checked once when parsed, never re-checked.
    broken: bool = False

    @property
    def domain_prefix(self) -> str:
        return self.values.get("domain_prefix", "").strip().lower()


def template_csv() -> str:
    """The downloadable template: the header and one example row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue()


def import_parse(upload: UploadedFile) -> list[ImportRow]:
    """Read an uploaded CSV file into rows, or raise ImportFileError for a file that cannot be used at all."""
    if upload is None:
        raise ImportFileError(_("Choose a CSV file to upload."))
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None
    header = [name.strip().lower() for name in records[0]]
    unknown = [name for name in header if name not in COLUMN_NAMES]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or repeated:
        problems = []
        if missing:
            problems.append(str(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        if unknown:
            problems.append(str(_("unknown columns: %(columns)s") % {"columns": ", ".join(n or '""' for n in unknown)}))
        if repeated:
            problems.append(str(_("repeated columns: %(columns)s") % {"columns": ", ".join(repeated)}))
        raise ImportFileError(
            _("The first row must name the template's columns (%(problems)s). Download the template to start from.")
            % {"problems": "; ".join(problems)}
        )
    rows: list[ImportRow] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines (often at the end of spreadsheet exports) are not rows
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d customer rows. Split it into smaller files.") % {"max": MAX_ROWS}
            )
        values = dict.fromkeys(COLUMN_NAMES, "")
        values.update({name: cell.strip() for name, cell in zip(header, record, strict=False)})
        row = ImportRow(line=number, values=values)
        if len(record) != len(header):
            row.status, row.broken = "invalid", True
            row.errors.append(
                str(
                    _("This row has %(found)d fields; the header has %(expected)d.")
                    % {"found": len(record), "expected": len(header)}
                )
            )
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has no customer rows, only the header."))
    return rows


def _field_errors(exc: ValidationError) -> list[str]:
    labels = {name: name for name in COLUMN_NAMES}
    if hasattr(exc, "error_dict"):
        messages = []
        for name, errors in exc.message_dict.items():
            column = labels.get(name, name if name != "__all__" else "")
            for message in errors:
                messages.append(f"{column}: {message}" if column else message)
        return messages
    return list(exc.messages)


def _row_validate(*, actor: User, values: dict[str, str]) -> None:
    """Raise ValidationError when Add customer would refuse the row (the same rules and messages)."""
    data = {name: value for name, value in values.items() if name != "domain_prefix"}
    customer_validate(data=data, domain_prefix=values.get("domain_prefix", ""), partner=actor.partner)


def import_check(*, actor: User, rows: list[ImportRow]) -> list[ImportRow]:
    """Mark every row valid, invalid (with the reasons) or duplicate (domain in the portal or earlier in the file)."""
    domains = {primary_domain_for(row.domain_prefix) for row in rows if row.domain_prefix}
    taken = set(Customer.objects.filter(primary_domain__in=domains).values_list("primary_domain", flat=True))
    first_line: dict[str, int] = {}
    for row in rows:
        if row.broken:
            continue
        row.status, row.errors = "valid", []
        prefix = row.domain_prefix
        if prefix and prefix in first_line:
            row.status = "duplicate"
            row.errors.append(
                str(_("The same domain is on line %(line)d of this file.") % {"line": first_line[prefix]})
            )
            continue
        if prefix:
            first_line[prefix] = row.line
        if prefix and primary_domain_for(prefix) in taken:
            row.status = "duplicate"
            row.errors.append(str(_("A customer with this domain is already in the portal.")))
            continue
        try:
            _row_validate(actor=actor, values=row.values)
        except ValidationError as exc:
            row.status = "invalid"
            row.errors.extend(_field_errors(exc))
    return rows


def import_preview(*, actor: User, upload: UploadedFile) -> list[ImportRow]:
    """Parse and check an uploaded file; raises ImportFileError for an unusable file."""
    return import_check(actor=actor, rows=import_parse(upload))


def preview_sign(*, actor: User, rows: list[ImportRow]) -> str:
    """The preview's rows as a signed, compressed token bound to the user (the hidden field on the preview page)."""
    return signing.dumps({"user": actor.pk, "rows": [asdict(row) for row in rows]}, salt=SIGNING_SALT, compress=True)


def preview_load(*, actor: User, payload: str) -> list[ImportRow]:
    """The rows of a signed preview; ImportFileError when it was tampered with, is someone else's or is stale."""
    try:
        data = signing.loads(payload or "", salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportFileError(_("This preview is more than an hour old. Upload the file again.")) from None
    except signing.BadSignature:
        raise ImportFileError(_("This preview could not be read. Upload the file again.")) from None
    if not isinstance(data, dict) or data.get("user") != actor.pk:
        raise ImportFileError(_("This preview could not be read. Upload the file again."))
    try:
        return [
            ImportRow(
                line=int(r["line"]),
                values={name: str(r["values"].get(name, "")) for name in COLUMN_NAMES},
                status=str(r["status"]),
                errors=[str(e) for e in r["errors"]],
                broken=bool(r["broken"]),
            )
            for r in data["rows"]
        ]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ImportFileError(_("This preview could not be read. Upload the file again.")) from None


class ImportStale(Exception):
    """Rows that were valid in the preview are not any more; carries the fresh preview."""

    def __init__(self, rows: list[ImportRow]):
        super().__init__("stale import preview")
        self.rows = rows


def customer_import_apply(*, actor: User, rows: list[ImportRow]) -> list[Customer]:
    """Create every valid row's customer with an "import" relationship, all in one transaction.

    `rows` are the preview's rows with the statuses the user saw. They are checked again first: when the set of
    valid rows changed (a domain was taken since the preview), nothing is written and ImportStale carries the
    fresh preview.
    """
    expected = [row.line for row in rows if row.status == "valid"]
    with transaction.atomic():
        fresh = import_check(actor=actor, rows=rows)
        valid = [row for row in fresh if row.status == "valid"]
        if [row.line for row in valid] != expected:
            raise ImportStale(fresh)
        created = []
        for row in valid:
            data = {name: value for name, value in row.values.items() if name != "domain_prefix"}
            try:
                created.append(
                    customer_onboard(
                        actor=actor,
                        data=data,
                        domain_prefix=row.domain_prefix,
                        source=Relationship.Source.IMPORT,
                    )
                )
            except ValidationError as exc:
                # A concurrent request took the domain between the check and the insert: leaving the atomic
                # block with the exception rolls every row back.
                row.status = "invalid"
                row.errors = _field_errors(exc)
                raise ImportStale(fresh) from exc
    return created
