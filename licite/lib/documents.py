"""Documents for the DPO and the CNIL (RULES H1): one model, rendered as HTML, Markdown, PDF, XLSX, ODS.

A caller builds a `Document` out of sections and blocks (paragraphs, label/value fields, tables,
bullet lists, flagged notices) and asks for a format; tabular exports are a list of `Sheet`s.
Every string is text, never markup: each renderer escapes it for its own syntax, so a value
such as "<script>" or "=HYPERLINK(...)" shows as written and is never run or evaluated.

Libraries from PyPI do the formats (docs/documents.md): reportlab (PDF), openpyxl (XLSX),
odfpy (ODS). They are imported where used, so that importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Union

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Fields",
    "Notice",
    "Paragraph",
    "Section",
    "Sheet",
    "Table",
    "render",
    "render_html",
    "render_markdown",
    "render_pdf",
    "sheet_titles",
    "write_workbook",
]

LANGUAGES = ("fr", "en")
NOTICE_LEVELS = ("ok", "warning", "failure")
DOCUMENT_FORMATS = ("html", "md", "pdf")
WORKBOOK_FORMATS = ("xlsx", "ods")


def _tuple(value: Any, what: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{what} must be a sequence, not {type(value).__name__}: {value!r:.60}")
    return tuple(value)


def _freeze(instance: Any, name: str, value: Any) -> None:
    object.__setattr__(instance, name, value)


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value pairs, such as the fields of one register activity."""

    rows: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        rows = tuple(_tuple(row, "a row of fields") for row in _tuple(self.rows, "Fields.rows"))
        for number, row in enumerate(rows, 1):
            if len(row) != 2:
                raise ValueError(f"Fields row {number} has {len(row)} cells, not 2 (label, value)")
        _freeze(self, "rows", rows)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        headers = _tuple(self.headers, "Table.headers")
        if not headers:
            raise ValueError("a Table needs at least one header")
        rows = tuple(_tuple(row, "a table row") for row in _tuple(self.rows, "Table.rows"))
        for number, row in enumerate(rows, 1):
            if len(row) != len(headers):
                raise ValueError(f"Table row {number} has {len(row)} cells for {len(headers)} headers")
        _freeze(self, "headers", headers)
        _freeze(self, "rows", rows)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]

    def __post_init__(self) -> None:
        _freeze(self, "items", _tuple(self.items, "Bullets.items"))


@dataclass(frozen=True)
class Notice:
    """A flagged line, e.g. a processor outside the EU without safeguard (RULES B7)."""

    text: str
    level: str = "warning"

    def __post_init__(self) -> None:
        if self.level not in NOTICE_LEVELS:
            raise ValueError(f"unknown notice level {self.level!r}: use one of {', '.join(NOTICE_LEVELS)}")


Block = Union[Paragraph, Fields, Table, Bullets, Notice]  # noqa: UP007 (a runtime alias used in isinstance)
_BLOCK_TYPES = (Paragraph, Fields, Table, Bullets, Notice)


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()

    def __post_init__(self) -> None:
        blocks = _tuple(self.blocks, "Section.blocks")
        for block in blocks:
            if not isinstance(block, _BLOCK_TYPES):
                raise ValueError(f"not a block: {type(block).__name__} in section {self.heading!r:.60}")
        sections = _tuple(self.sections, "Section.sections")
        for section in sections:
            if not isinstance(section, Section):
                raise ValueError(f"not a Section: {type(section).__name__} in {self.heading!r:.60}")
        _freeze(self, "blocks", blocks)
        _freeze(self, "sections", sections)


@dataclass(frozen=True)
class Document:
    """A whole document; `language` ("fr" or "en") sets <html lang>, the footer's words and dates."""

    title: str
    language: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    generated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(
                f"unknown document language {self.language!r}: use one of {', '.join(LANGUAGES)}"
            )
        sections = _tuple(self.sections, "Document.sections")
        for section in sections:
            if not isinstance(section, Section):
                raise ValueError(f"not a Section: {type(section).__name__} in document {self.title!r:.60}")
        _freeze(self, "sections", sections)


def render(document: Document, fmt: str) -> bytes:
    """The document in `fmt` ("html", "md" or "pdf"); text formats in UTF-8."""
    if fmt == "html":
        return render_html(document).encode()
    if fmt == "md":
        return render_markdown(document).encode()
    if fmt == "pdf":
        return render_pdf(document)
    raise ValueError(f"unknown document format {fmt!r}: use one of {', '.join(DOCUMENT_FORMATS)}")


# --- The words a renderer adds, in the document's language ----------------------------------


@dataclass(frozen=True)
class _Words:
    generated: str  # "" when the document has no date
    page: str  # "Page %(page)s / %(pages)s"
    levels: dict[str, str]
    colon: str = ":"  # French typography puts a no-break space before it


def _words(document: Document) -> _Words:
    from django.utils import formats, timezone, translation
    from django.utils.translation import gettext, pgettext

    with translation.override(document.language):
        generated = ""
        if document.generated_at is not None:
            when = document.generated_at
            if timezone.is_aware(when):
                when = timezone.localtime(when)
            generated = gettext("Generated on %(date)s") % {"date": formats.date_format(when, "j F Y, H:i T")}
        return _Words(
            generated=generated.strip(),
            page=gettext("Page %(page)s / %(pages)s"),
            levels={
                "ok": pgettext("notice level", "OK"),
                "warning": pgettext("notice level", "Warning"),
                "failure": pgettext("notice level", "Failure"),
            },
            colon="\u00a0:" if document.language == "fr" else ":",
        )


def _text(value: object) -> str:
    return "" if value is None else str(value)


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 11pt; line-height: 1.4;
  color: #111; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.7em; margin-bottom: .2em; }
.subtitle { font-size: 1.15em; color: #444; margin-top: 0; }
.generated { color: #555; font-size: .9em; }
h2 { font-size: 1.35em; border-bottom: 1px solid #999; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 1.15em; margin-top: 1.3em; }
h4, h5, h6 { font-size: 1em; margin-top: 1.1em; }
h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
p, li { white-space: pre-line; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .92em; }
th, td { border: 1px solid #999; padding: .3em .45em; text-align: left; vertical-align: top;
  white-space: pre-line; }
th { overflow-wrap: break-word; }
td { overflow-wrap: break-word; }  /* words stay whole: "Conforme" never becomes "Conform/e" */
td.long { overflow-wrap: anywhere; }  /* a long link or digest breaks rather than widen the page */
thead th { background: #e8e8e8; }
table.fields th { width: 32%; background: #f3f3f3; }
tr { break-inside: avoid; page-break-inside: avoid; }
.notice { border-left: 5px solid; padding: .4em .7em; margin: .6em 0; }
.notice-ok { border-color: #2e7d32; background: #edf7ee; }
.notice-warning { border-color: #b26a00; background: #fff4e0; }
.notice-failure { border-color: #b00020; background: #fdecee; }
footer { margin-top: 2.5em; color: #555; font-size: .85em; border-top: 1px solid #ccc; padding-top: .4em; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  @page { size: A4; margin: 18mm 16mm; }
  thead { display: table-header-group; }
  .notice { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render_html(document: Document) -> str:
    """A whole standalone page: inline print-friendly CSS, no script, no outside resource."""
    words = _words(document)
    e = _escape_html
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(document.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(document.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(document.title)}</h1>",
    ]
    if document.subtitle:
        parts.append(f'<p class="subtitle">{e(document.subtitle)}</p>')
    if words.generated:
        parts.append(f'<p class="generated">{e(words.generated)}</p>')
    parts.append("</header>")
    parts.append("<main>")
    for section in document.sections:
        parts.extend(_html_section(section, 2, words))
    parts.append("</main>")
    if words.generated:
        parts.append(f"<footer>{e(document.title)} · {e(words.generated)}</footer>")
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts)


def _escape_html(value: object) -> str:
    return html.escape(_text(value), quote=True)


_LONG_TOKEN = re.compile(r"\S{25,}")


def _td(value: object) -> str:
    """A cell; one holding a long unbroken token (a link, a digest) may break anywhere."""
    text = _escape_html(value)
    return f'<td class="long">{text}</td>' if _LONG_TOKEN.search(_text(value)) else f"<td>{text}</td>"


def _html_section(section: Section, level: int, words: _Words) -> list[str]:
    tag = f"h{min(level, 6)}"
    parts = ["<section>", f"<{tag}>{_escape_html(section.heading)}</{tag}>"]
    parts.extend(_html_block(block, words) for block in section.blocks)
    for subsection in section.sections:
        parts.extend(_html_section(subsection, level + 1, words))
    parts.append("</section>")
    return parts


def _html_block(block: Block, words: _Words) -> str:
    e = _escape_html
    if isinstance(block, Paragraph):
        return f"<p>{e(block.text)}</p>"
    if isinstance(block, Fields):
        rows = "".join(f'<tr><th scope="row">{e(k)}</th>{_td(v)}</tr>' for k, v in block.rows)
        return f'<table class="fields"><tbody>{rows}</tbody></table>'
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{e(h)}</th>' for h in block.headers)
        body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.items) + "</ul>"
    label = e(words.levels[block.level]) + words.colon
    return f'<p class="notice notice-{block.level}"><strong>{label}</strong> {e(block.text)}</p>'


# --- Markdown -------------------------------------------------------------------------------

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start markup.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def _escape_md(value: object) -> str:
    text = _MD_INLINE.sub(r"\\\1", _text(value))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_cell(value: object) -> str:
    text = _escape_md(value).replace("\r\n", "\n").strip()
    return text.replace("\n", "<br>") or " "


def render_markdown(document: Document) -> str:
    """GitHub-flavoured Markdown: tables for tables and fields, every value escaped."""
    words = _words(document)
    parts = [f"# {_escape_md(document.title)}"]
    if document.subtitle:
        parts.append(f"*{_escape_md(document.subtitle)}*")
    if words.generated:
        parts.append(_escape_md(words.generated))
    for section in document.sections:
        parts.extend(_md_section(section, 2, words))
    return "\n\n".join(parts) + "\n"


def _md_section(section: Section, level: int, words: _Words) -> list[str]:
    parts = [f"{'#' * min(level, 6)} {_escape_md(section.heading)}"]
    parts.extend(_md_block(block, words) for block in section.blocks)
    for subsection in section.sections:
        parts.extend(_md_section(subsection, level + 1, words))
    return parts


def _md_table(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join(" --- " for _ in headers) + "|")
    lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _md_block(block: Block, words: _Words) -> str:
    if isinstance(block, Paragraph):
        return _escape_md(block.text).replace("\n", "  \n")
    if isinstance(block, Fields):
        return "\n".join(f"- **{_md_cell(k)}**{words.colon} {_md_cell(v)}" for k, v in block.rows)
    if isinstance(block, Table):
        return _md_table(block.headers, block.rows)
    if isinstance(block, Bullets):
        return "\n".join(f"- {_md_cell(item)}" for item in block.items)
    return f"> **{_escape_md(words.levels[block.level])}{words.colon}** {_md_cell(block.text)}"


# --- PDF ------------------------------------------------------------------------------------

_NOTICE_COLOURS = {
    "ok": ("#2e7d32", "#edf7ee"),
    "warning": ("#b26a00", "#fff4e0"),
    "failure": ("#b00020", "#fdecee"),
}


def render_pdf(document: Document) -> bytes:
    """An A4 PDF a person reads: headings, wrapping tables whose headers repeat, "Page N / M" footers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    words = _words(document)
    buffer = io.BytesIO()
    pdf = _outlined_template()(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        subject=document.subtitle,
        author="licite",
        creator="licite",
        lang=document.language,
    )
    story = _pdf_story(document, words, pdf.width)
    pdf.build(story, canvasmaker=_numbered_canvas(words, document.title))
    return buffer.getvalue()


def _outlined_template() -> Any:
    """A document template that lists the sections in the PDF reader's outline (bookmarks) pane."""
    from reportlab.platypus import SimpleDocTemplate

    class OutlinedTemplate(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # reportlab's hook
            outline = getattr(flowable, "licite_outline", None)
            if outline is not None:
                level, text = outline
                key = f"section-{self.seq.nextf('licite-outline')}"
                self.canv.mark(key, self.frame._y + flowable.height)
                self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)

    return OutlinedTemplate


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    sample = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sample["BodyText"], fontSize=10, leading=13, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0)
    return {
        "title": ParagraphStyle("title", parent=sample["Title"], fontSize=20, leading=24, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=15, alignment=1),
        "generated": ParagraphStyle("generated", parent=body, fontSize=9, alignment=1, textColor="#555555"),
        "body": body,
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold"),
        "label": ParagraphStyle("label", parent=cell, fontName="Helvetica-Bold"),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=2),
        **{
            f"h{level}": ParagraphStyle(
                f"h{level}",
                parent=sample["Heading1" if level == 2 else "Heading2" if level == 3 else "Heading3"],
                fontSize={2: 15, 3: 12.5}.get(level, 11),
                leading={2: 19, 3: 16}.get(level, 14),
                spaceBefore={2: 14, 3: 10}.get(level, 8),
                spaceAfter=5,
            )
            for level in range(2, 7)
        },
    }


def _escape_pdf(value: object) -> str:
    """Text for a reportlab Paragraph, which parses markup: escaped, line breaks kept."""
    text = html.escape(_pdf_text(value), quote=False).replace("\r\n", "\n")
    return text.replace("\n", "<br/>")


# Letters that have no decomposition to a Latin letter but an obvious look-alike.
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "k"})


def _pdf_text(value: object) -> str:
    """The text in what the standard PDF fonts can show (Windows-1252: French and western Europe).

    Other letters lose their accents (ą -> a, Ł -> L) rather than print as black boxes; what has
    no Latin look-alike becomes "?".
    """
    text = _text(value)
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(_fold(char) for char in text)
    return text


def _fold(char: str) -> str:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char.translate(_FOLD)) if not unicodedata.combining(c)
        )
        try:
            return base.encode("cp1252").decode("cp1252") or "?"
        except UnicodeEncodeError:
            return "?"
    return char


def _pdf_story(document: Document, words: _Words, width: float) -> list[Any]:
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    styles = _pdf_styles()
    story: list[Any] = [P(_escape_pdf(document.title), styles["title"])]
    if document.subtitle:
        story.append(P(_escape_pdf(document.subtitle), styles["subtitle"]))
    if words.generated:
        story.append(P(_escape_pdf(words.generated), styles["generated"]))
    story.append(Spacer(1, 8))
    for section in document.sections:
        story.extend(_pdf_section(section, 2, words, styles, width))
    return story


def _pdf_section(
    section: Section, level: int, words: _Words, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak
    from reportlab.platypus import Paragraph as P

    heading = P(_escape_pdf(section.heading), styles[f"h{min(level, 6)}"])
    heading.licite_outline = (level - 2, section.heading)
    # A heading never ends a page: when little room is left, it starts the next one. (keepWithNext
    # would carry a long table along with it and leave the page blank.)
    story: list[Any] = [CondPageBreak(35 * mm), heading]
    for block in section.blocks:
        story.extend(_pdf_block(block, words, styles, width))
    for subsection in section.sections:
        story.extend(_pdf_section(subsection, level + 1, words, styles, width))
    return story


def _pdf_block(block: Block, words: _Words, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import Paragraph as P

    if isinstance(block, Paragraph):
        return [P(_escape_pdf(block.text), styles["body"])]
    if isinstance(block, Bullets):
        return [P(_escape_pdf(item), styles["bullet"], bulletText="•") for item in block.items]
    if isinstance(block, Fields):
        return [_pdf_fields(block, styles, width)]
    if isinstance(block, Table):
        return [_pdf_table(block, styles, width)]
    return [_pdf_notice(block, words, styles, width)]


def _grid_style(header: bool) -> Any:
    from reportlab.platypus import TableStyle

    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands.append(
        ("BACKGROUND", (0, 0), (-1, 0), "#e8e8e8") if header else ("BACKGROUND", (0, 0), (0, -1), "#f3f3f3")
    )
    return TableStyle(commands)


def _pdf_grid(data: list[list[Any]], widths: list[float], **options: Any) -> Any:
    """A reportlab table whose rows may split across pages: a long value never stops the build."""
    from reportlab.platypus import Table as PdfTable

    settings = {"hAlign": "LEFT", "splitInRow": 1, "spaceBefore": 3, "spaceAfter": 8, **options}
    return PdfTable(data, colWidths=widths, **settings)


def _pdf_table(block: Table, styles: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Paragraph as P

    data = [[P(_escape_pdf(h), styles["head"]) for h in block.headers]]
    data.extend([P(_escape_pdf(c), styles["cell"]) for c in row] for row in block.rows)
    widths = _column_widths(block.headers, block.rows, width)
    table = _pdf_grid(data, widths, repeatRows=1)
    table.setStyle(_grid_style(header=True))
    return table


def _column_widths(headers: Sequence[object], rows: Sequence[Sequence[object]], width: float) -> list[float]:
    """Widths in proportion to each column's longer texts, each wide enough for its header's longest word."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    weights, floors = [], []
    for index, header in enumerate(headers):
        lengths = sorted(len(_text(row[index])) for row in rows) or [0]
        typical = lengths[int((len(lengths) - 1) * 0.9)]
        weights.append(min(max(typical, len(_text(header)) / 2, 4), 60))
        words = _pdf_text(header).split() or [""]
        floors.append(
            min(max(stringWidth(w, "Helvetica-Bold", 8.5) for w in words) + 10, width / len(headers))
        )
    total = sum(weights)
    widths = [max(width * w / total, floor) for w, floor in zip(weights, floors, strict=True)]
    # Taking the floors may overflow the page: shrink the columns that are above their floor.
    excess = sum(widths) - width
    slack = sum(w - f for w, f in zip(widths, floors, strict=True))
    if excess > 0 and slack > 0:
        widths = [w - (w - f) * excess / slack for w, f in zip(widths, floors, strict=True)]
    return widths


def _pdf_fields(block: Fields, styles: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Paragraph as P

    data = [[P(_escape_pdf(k), styles["label"]), P(_escape_pdf(v), styles["cell"])] for k, v in block.rows]
    table = _pdf_grid(data, [width * 0.32, width * 0.68])
    table.setStyle(_grid_style(header=False))
    return table


def _pdf_notice(block: Notice, words: _Words, styles: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import TableStyle

    line, fill = _NOTICE_COLOURS[block.level]
    text = f"<b>{_escape_pdf(words.levels[block.level])}{words.colon}</b> {_escape_pdf(block.text)}"
    table = _pdf_grid([[P(text, styles["body"])]], [width], spaceBefore=6, spaceAfter=6)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LINEBEFORE", (0, 0), (0, -1), 4, line),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _numbered_canvas(words: _Words, title: str) -> Any:
    """A canvas class that holds its pages back to write "Page N / M" once M is known."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._marks: list[tuple[str, float]] = []

        def mark(self, key: str, top: float) -> None:
            """Bookmark this page at `top`, once the page is really written (see save)."""
            self._marks.append((key, top))

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._marks = []
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._footer(number, len(self._pages))
                for key, top in self._marks:
                    self.bookmarkPage(key, fit="XYZ", left=0, top=top)
                super().showPage()
            super().save()

        def _footer(self, number: int, pages: int) -> None:
            self.saveState()
            self.setFont("Helvetica", 8)
            self.setFillColor("#555555")
            left = f"{title} – {words.generated}" if words.generated else title
            self.drawString(18 * mm, 10 * mm, _pdf_text(left)[:110])
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, words.page % {"page": number, "pages": pages})
            self.restoreState()

    return NumberedCanvas


# --- Workbooks (XLSX, ODS) -----------------------------------------------------------------

Cell = str | int | float | Decimal | bool | date | datetime | None
_CELL_TYPES = (str, int, float, Decimal, bool, date, datetime, type(None))
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold; neither XLSX nor ODS can store them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_LENGTH = 31  # Excel's limit, kept in ODS too so that both files have the same sheet names
_MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One sheet: rows of cells (str, int, float, date, datetime or None), the first `header_rows` in bold.

    `column_widths` are in characters; columns not given are sized from their content.
    """

    title: str
    rows: tuple[tuple[object, ...], ...]
    header_rows: int = 1
    column_widths: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        rows = tuple(_tuple(row, "a sheet row") for row in _tuple(self.rows, "Sheet.rows"))
        for number, row in enumerate(rows, 1):
            for cell in row:
                if not isinstance(cell, _CELL_TYPES):
                    raise ValueError(
                        f"sheet {self.title!r:.40} row {number}: a cell of type {type(cell).__name__} "
                        "is not text, a number, a date or empty"
                    )
        if self.header_rows < 0:
            raise ValueError(f"header_rows must be 0 or more, not {self.header_rows}")
        widths = _tuple(self.column_widths, "Sheet.column_widths")
        if any(not isinstance(w, int) or w <= 0 for w in widths):
            raise ValueError(f"column widths must be positive integers: {widths!r:.60}")
        _freeze(self, "rows", rows)
        _freeze(self, "column_widths", widths)


def write_workbook(sheets: Sequence[Sheet], fmt: str) -> bytes:
    """A workbook of `sheets` as "xlsx" or "ods", that Excel and LibreOffice open."""
    if fmt not in WORKBOOK_FORMATS:
        raise ValueError(f"unknown workbook format {fmt!r}: use one of {', '.join(WORKBOOK_FORMATS)}")
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    titles = sheet_titles([sheet.title for sheet in sheets])
    named = [dataclasses.replace(sheet, title=title) for sheet, title in zip(sheets, titles, strict=True)]
    return _write_xlsx(named) if fmt == "xlsx" else _write_ods(named)


def sheet_titles(titles: Sequence[str]) -> list[str]:
    """Valid, unique sheet titles: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    taken: set[str] = set()
    result = []
    for number, title in enumerate(titles, 1):
        base = _INVALID_TITLE.sub("-", _CONTROL.sub("", _text(title))).strip().strip("'").strip()
        base = base or f"Sheet {number}"
        candidate, counter = base[:_TITLE_LENGTH], 1
        while candidate.casefold() in taken:
            counter += 1
            suffix = f" ({counter})"
            candidate = base[: _TITLE_LENGTH - len(suffix)] + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _naive(value: datetime) -> datetime:
    """A spreadsheet has no time zones: keep the wall-clock time the caller gave."""
    return value.replace(tzinfo=None)


def _widths(sheet: Sheet) -> list[int]:
    columns = max((len(row) for row in sheet.rows), default=0)
    widths = []
    for index in range(columns):
        if index < len(sheet.column_widths):
            widths.append(sheet.column_widths[index])
            continue
        longest = max((_display_length(row[index]) for row in sheet.rows if index < len(row)), default=0)
        widths.append(min(max(longest + 2, 8), _MAX_WIDTH))
    return widths


def _display_length(value: object) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in _text(value).splitlines()), default=0)


def _write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "licite"
    _xlsx_styles(book)
    for sheet in sheets:
        page = book.create_sheet(sheet.title)
        for r, row in enumerate(sheet.rows, 1):
            head = "-head" if r <= sheet.header_rows else ""
            for c, value in enumerate(row, 1):
                cell = page.cell(row=r, column=c)
                # A named style is set in one look-up, where a font and an alignment take two each.
                cell.style = _set_xlsx_value(cell, value) + head
        for index, width in enumerate(_widths(sheet), 1):
            page.column_dimensions[get_column_letter(index)].width = width
        if 0 < sheet.header_rows < len(sheet.rows):
            page.freeze_panes = page.cell(row=sheet.header_rows + 1, column=1)
            page.print_title_rows = f"1:{sheet.header_rows}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_styles(book: Any) -> None:
    from openpyxl.styles import Alignment, Font, NamedStyle

    formats = {"licite-text": "General", "licite-date": "yyyy-mm-dd", "licite-datetime": "yyyy-mm-dd hh:mm"}
    for name, number_format in formats.items():
        for head in (False, True):
            style = NamedStyle(name=name + ("-head" if head else ""), number_format=number_format)
            style.alignment = Alignment(wrap_text=True, vertical="top")
            style.font = Font(bold=head)
            book.add_named_style(style)


def _set_xlsx_value(cell: Any, value: object) -> str:
    """Put `value` in `cell`; the name of the style its kind of value takes."""
    if isinstance(value, datetime):
        cell.value = _naive(value)
        return "licite-datetime"
    if isinstance(value, date):
        cell.value = value
        return "licite-date"
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # text, never a formula: "=cmd|..." stays as written
    else:
        cell.value = value
    return "licite-text"


def _write_ods(sheets: Sequence[Sheet]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table as OdsTable
    from odf.table import TableColumn, TableHeaderRows, TableRow

    book = OpenDocumentSpreadsheet()
    book.meta.addElement(_ods_generator())
    styles = _ods_styles(book)
    for sheet in sheets:
        table = OdsTable(name=sheet.title)
        for width in _widths(sheet):
            table.addElement(TableColumn(stylename=_ods_column_style(book, width)))
        header = TableHeaderRows() if sheet.header_rows else None
        if header is not None:
            table.addElement(header)
        for r, row in enumerate(sheet.rows):
            element = TableRow()
            is_header = r < sheet.header_rows
            for value in row:
                element.addElement(_ods_cell(value, styles, is_header))
            (header if is_header and header is not None else table).addElement(element)
        book.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    book.write(buffer)
    return buffer.getvalue()


def _ods_generator() -> Any:
    from odf.meta import Generator

    return Generator(text="licite")


def _ods_styles(book: Any) -> dict[str, Any]:
    from odf.number import DateStyle as NumberDateStyle
    from odf.number import Day, Hours, Minutes, Month, Year
    from odf.number import Text as NumberText
    from odf.style import ParagraphProperties, Style, TableCellProperties, TextProperties

    def date_style(name: str, with_time: bool) -> Any:
        style = NumberDateStyle(name=name)
        parts = [
            Year(style="long"),
            NumberText(text="-"),
            Month(style="long"),
            NumberText(text="-"),
            Day(style="long"),
        ]
        if with_time:
            parts += [NumberText(text=" "), Hours(style="long"), NumberText(text=":"), Minutes(style="long")]
        for part in parts:
            style.addElement(part)
        book.automaticstyles.addElement(style)
        return style

    def cell_style(name: str, bold: bool, data_style: str | None = None) -> Any:
        kwargs = {"datastylename": data_style} if data_style else {}
        style = Style(name=name, family="table-cell", **kwargs)
        style.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
        style.addElement(ParagraphProperties())
        if bold:
            style.addElement(
                TextProperties(fontweight="bold", fontweightasian="bold", fontweightcomplex="bold")
            )
        book.automaticstyles.addElement(style)
        return style

    date_style("N-date", with_time=False)
    date_style("N-datetime", with_time=True)
    styles = {}
    for bold in (False, True):
        suffix = "-head" if bold else ""
        styles[f"text{suffix}"] = cell_style(f"ce-text{suffix}", bold)
        styles[f"date{suffix}"] = cell_style(f"ce-date{suffix}", bold, "N-date")
        styles[f"datetime{suffix}"] = cell_style(f"ce-datetime{suffix}", bold, "N-datetime")
    return styles


def _ods_column_style(book: Any, width: int) -> Any:
    from odf.style import Style, TableColumnProperties

    name = f"co-{len(book.automaticstyles.childNodes)}"
    style = Style(name=name, family="table-column")
    # A character of the default 10-point font is about 0.22 cm wide.
    style.addElement(TableColumnProperties(columnwidth=f"{width * 0.22:.2f}cm"))
    book.automaticstyles.addElement(style)
    return style


def _ods_cell(value: object, styles: dict[str, Any], bold: bool) -> Any:
    from odf import teletype
    from odf.table import TableCell
    from odf.text import P

    suffix = "-head" if bold else ""
    if value is None:
        return TableCell(stylename=styles[f"text{suffix}"])
    if isinstance(value, bool):
        cell = TableCell(
            valuetype="boolean", booleanvalue=str(value).lower(), stylename=styles[f"text{suffix}"]
        )
        text = str(value).upper()
    elif isinstance(value, datetime):
        naive = _naive(value)
        cell = TableCell(valuetype="date", datevalue=naive.isoformat(), stylename=styles[f"datetime{suffix}"])
        text = naive.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), stylename=styles[f"date{suffix}"])
        text = value.isoformat()
    elif isinstance(value, int | float | Decimal):
        cell = TableCell(valuetype="float", value=str(value), stylename=styles[f"text{suffix}"])
        text = str(value)
    else:
        cell = TableCell(valuetype="string", stylename=styles[f"text{suffix}"])
        text = _clean(_text(value))
    for line in text.splitlines() or [""]:
        paragraph = P()  # one paragraph a line, as LibreOffice writes a cell of several lines
        teletype.addTextToElement(paragraph, line)
        cell.addElement(paragraph)
    return cell
