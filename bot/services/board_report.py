"""`nearmiss board-report`: one team's period for a board meeting, as accessible HTML and as a
PDF (fpdf2: pure Python, maintained, fonts embedded, bookmarks, images with alternative text).

The counts come from storage/board_store.py, the words, tables and charts from flows/board.py;
this module gathers them in one unit of work (audited) and lays them out.
"""

import base64
import html
import io
from datetime import date, datetime, time
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.app.config import Settings
from flows.board import Document, Period, compose
from flows.messages import speaking
from storage.board_store import board_counts
from storage.database import Database
from storage.triage_store import audit

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu, with every Welsh letter
LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy"}


async def board_report(
    database: Database, settings: Settings, *, team: str, period: Period, language: str, today: date
) -> Document:
    """Returns the team's board report for a period, in a language, and audits that it was made."""
    team_settings = settings.team(team)
    if team_settings is None:
        raise LookupError(f"no team {team!r} in the config")
    zone = settings.zone

    def start(day: date) -> datetime:
        return datetime.combine(day, time(), zone)

    async with database.unit() as session:
        counts = await board_counts(
            session,
            team=team,
            since=start(period.start),
            until=start(period.end),
            before=start(period.before.start),
        )
        await audit(
            session,
            actor="cli",
            team=team,
            verb="board_report",
            now=datetime.now(zone),
            detail=f"{period.start} to {period.end}",
        )
    with speaking(language):
        return compose(
            counts,
            team=team_settings.name,
            period=period,
            lists=settings.lists.to_lists(),
            small=settings.digest.small_count,
            today=today,
        )


STYLE = """
body { font-family: system-ui, sans-serif; font-size: 1.05rem; line-height: 1.5; color: #1a1a1a;
       max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .8rem 0; min-width: 60%; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border: 1px solid #888; padding: .3rem .6rem; text-align: left; }
td { text-align: right; } thead th { background: #e8eef4; }
img { max-width: 100%; height: auto; }
@media print { h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
"""


def as_html(document: Document, language: str) -> str:
    """Returns the report as one self-contained HTML page: headings, captioned tables with
    header cells, and each chart with its words as alternative text."""
    e = html.escape
    parts = [
        f'<!doctype html>\n<html lang="{LANGUAGE_TAGS.get(language, language)}">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>",
        f"<h1>{e(document.title)}</h1>\n<p>{e(document.subtitle)}</p>",
    ]
    for section in document.sections:
        parts.append(f'<section aria-labelledby="{section.key}">\n<h2 id="{section.key}">{e(section.heading)}</h2>')
        parts += [f"<p>{e(paragraph)}</p>" for paragraph in section.paragraphs[:1]]
        if section.bullets:
            parts.append("<ul>" + "".join(f"<li>{e(bullet)}</li>" for bullet in section.bullets) + "</ul>")
        parts += [f"<p>{e(paragraph)}</p>" for paragraph in section.paragraphs[1:]]
        for table in section.tables:
            head = "".join(f'<th scope="col">{e(cell)}</th>' for cell in table.header)
            body = "".join(
                f'<tr><th scope="row">{e(row[0])}</th>' + "".join(f"<td>{e(cell)}</td>" for cell in row[1:]) + "</tr>"
                for row in table.rows
            )
            parts.append(
                f"<table>\n<caption>{e(table.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
                f"<tbody>{body}</tbody>\n</table>"
            )
        for chart in section.charts:
            picture = base64.b64encode(chart.png).decode()
            parts.append(f'<figure><img src="data:image/png;base64,{picture}" alt="{e(chart.alt)}"></figure>')
        parts.append("</section>")
    parts.append("</main>\n</body>\n</html>\n")
    return "\n".join(parts)


class _Pages(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=9)
        self.set_text_color(80)
        self.cell(0, 6, f"{self.title_text}  ·  {self.page_no()}/{{nb}}", align="C")

    title_text = ""


def as_pdf(document: Document, language: str) -> bytes:
    """Returns the report as an A4 PDF: its language and title set, a bookmark for each
    section, tables with a header row repeated across pages, and charts with alternative text."""
    pdf = _Pages(format="A4")
    pdf.title_text = document.title
    pdf.set_lang(LANGUAGE_TAGS.get(language, language))
    pdf.set_title(document.title)
    pdf.set_creator("nearmiss")
    pdf.set_display_mode("fullwidth")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 19)
    pdf.multi_cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, document.subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        if pdf.will_page_break(45):
            pdf.add_page()
        pdf.ln(5)
        pdf.start_section(section.heading)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=11)
        for paragraph in section.paragraphs[:1]:
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        for bullet in section.bullets:
            pdf.multi_cell(0, 5.5, f"•  {bullet}", new_x="LMARGIN", new_y="NEXT")
        for paragraph in section.paragraphs[1:]:
            pdf.ln(1.5)
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            if pdf.will_page_break(12 + 7.5 * (len(table.rows) + 1)):  # the caption stays with its table
                pdf.add_page()
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 10.5)
            pdf.multi_cell(0, 6, table.caption, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", size=10.5)
            first = 70 if len(table.header) > 2 else 110
            widths = (first, *[(174 - first) / (len(table.header) - 1)] * (len(table.header) - 1))
            with pdf.table(
                col_widths=widths,
                width=174,
                text_align=("LEFT", *["RIGHT"] * (len(table.header) - 1)),
                headings_style=FontFace(emphasis="BOLD", fill_color=(232, 238, 244)),
                line_height=6,
                padding=(0.8, 1.5),
            ) as grid:
                for cells in (table.header, *table.rows):
                    row = grid.row()
                    for cell in cells:
                        row.cell(cell)
        for chart in section.charts:
            width = 174
            height = _png_height(chart.png) * width / _png_width(chart.png)
            if pdf.will_page_break(height + 4):
                pdf.add_page()
            pdf.ln(3)
            pdf.image(io.BytesIO(chart.png), w=width, alt_text=chart.alt)
    return bytes(pdf.output())


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")


def _png_height(png: bytes) -> int:
    return int.from_bytes(png[20:24], "big")
