"""The report in the terminal: rich tables (the same tables as the HTML page)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from hotline.reports.report import Report
from hotline.reports.tables import Table, all_tables


def _rich(table: Table) -> RichTable:
    out = RichTable(
        title=table.title,
        title_style="bold",
        show_lines=False,
        caption=table.note or None,
        caption_justify="left",
    )
    for i, header in enumerate(table.headers):
        out.add_column(
            header,
            justify="left"
            if i == 0 or header in ("姓名", "说明", "结果", "业务", "评价", "故障类型", "子类型", "号码")
            else "right",
        )
    for row in table.rows:
        out.add_row(*row)
    return out


def print_report(report: Report, console: Console) -> None:
    p = report.stats.period
    console.print(report.title, style="bold", markup=False, highlight=False)
    console.print(
        f"{p.start.astimezone(p.tz):%Y-%m-%d %H:%M} 至 {p.end.astimezone(p.tz):%Y-%m-%d %H:%M} ({p.tz.key})",
        markup=False,
        highlight=False,
    )
    console.print(report.summary_zh(), markup=False, highlight=False)
    for table in all_tables(report):
        console.print()
        console.print(_rich(table))
