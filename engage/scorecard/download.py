"""The year-on-year table as CSV or XLSX: every statement for all partners and for each partner,
then each partner's response rates (below the statements in the CSV, on their own sheet in the
workbook).

Small groups are suppressed as on the page, and cells a spreadsheet would run as formulas are
escaped by ``surveys.exports``.
"""

from __future__ import annotations

from engage.scorecard.services import ALL, RateRow, YearOnYear, year_label
from surveys import exports, trends

FEWER = "fewer than 10"


def _year(f: trends.Figures | None, missing: str = "not asked") -> list[exports.Cell]:
    if f is None:
        return [missing, "", ""]
    if f.n == 0:
        return [0, "", ""]
    if not f.shown:
        return [FEWER, "", ""]
    return [f.n, round(100 * (f.share or 0), 1), round(f.mean or 0, 2)]


def _rate(r: trends.Rate | None) -> list[exports.Cell]:
    if r is None:
        return ["", "", ""]
    nominated: exports.Cell = "" if r.nominated is None else r.nominated
    if not r.shown:
        return [FEWER, nominated, ""]
    rate: exports.Cell = "" if r.rate is None else round(100 * r.rate, 1)
    return [r.responses, nominated, rate]


Sheet = tuple[str, list[str], list[list[exports.Cell]]]


def sheets(yoy: YearOnYear) -> list[Sheet]:
    """The statements' table and the response rates' table."""
    now = year_label(yoy.consultation)
    then = year_label(yoy.previous) if yoy.previous else "Last year"
    header = [
        "Partner organisation",
        "Section",
        "Statement",
        f"{then} respondents",
        f"{then} % agreeing",
        f"{then} mean score (1 to 5)",
        f"{now} respondents",
        f"{now} % agreeing",
        f"{now} mean score (1 to 5)",
        "Change in % agreeing (points)",
        "Change in mean score",
        "Significance",
        "Test",
        "p-value",
    ]
    rates = {r.value: r for r in yoy.rates()}
    body: list[list[exports.Cell]] = []
    for value, name in [(ALL, "All partners"), *yoy.partners]:
        for section in yoy.sections(value):
            for item, change in section.rows:
                row: list[exports.Cell] = [name, section.heading, item.label]
                row += _year(change.previous, "not asked" if yoy.previous else "no earlier survey")
                row += _year(change.current)
                if change.direction is None:
                    row += ["", "", "not compared", "", ""]
                else:
                    test = change.test
                    row += [
                        round(change.points or 0, 1),
                        round(change.mean_change or 0, 2),
                        change.direction.value,
                        test.method if test else "",
                        round(test.p_value, 4) if test else "",
                    ]
                body.append(row)
    rate_header = [
        "Response rates",
        f"{then} responses",
        f"{then} nominated",
        f"{then} rate %",
        f"{now} responses",
        f"{now} nominated",
        f"{now} rate %",
    ]
    rate_rows: list[list[exports.Cell]] = []
    for value, name in yoy.partners:
        line: RateRow = rates[value]
        rate_rows.append([name, *_rate(line.then), *_rate(line.now)])
    return [("Year on year", header, body), ("Response rates", rate_header, rate_rows)]


def table_csv(yoy: YearOnYear) -> bytes:
    """One file: the statements, a blank line, then the response rates under their header."""
    (_, header, body), (_, rate_header, rate_rows) = sheets(yoy)
    return exports.to_csv(header, [*body, [], rate_header, *rate_rows])


def table_xlsx(yoy: YearOnYear) -> bytes:
    """A workbook with a sheet for each table; cells escaped as in the CSV."""
    return exports.to_xlsx_book(sheets(yoy))
