"""The same test workbook as .xls (xlwt) or .ods (written as a zip here), for the other formats' cases."""

from __future__ import annotations

import datetime
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

import xlwt
from openpyxl import load_workbook


def upload(data: bytes, name: str) -> io.BytesIO:
    """Bytes as an uploaded file with its name."""
    return _named(io.BytesIO(data), name)


def _named(out: io.BytesIO, name: str) -> io.BytesIO:
    out.seek(0)
    out.name = name
    return out


def to_xls(source: io.BytesIO, *, merge: tuple[int, int, int, int] | None = None) -> io.BytesIO:
    """An .xlsx test workbook rewritten as Excel 97-2003; ``merge`` = (r1, r2, c1, c2), 0-based, on the first sheet."""
    source.seek(0)
    wb = load_workbook(source)
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for n, ws in enumerate(wb.worksheets):
        sheet = book.add_sheet(ws.title)
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, value in enumerate(row):
                if value is None or (
                    merge and n == 0 and merge[0] <= r <= merge[1] and merge[2] <= c <= merge[3]
                ):
                    continue
                if isinstance(value, datetime.date | datetime.datetime):
                    sheet.write(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
        if merge and n == 0:
            r1, r2, c1, c2 = merge
            sheet.write_merge(r1, r2, c1, c2, ws.cell(r1 + 1, c1 + 1).value)
    out = io.BytesIO()
    book.save(out)
    return _named(out, "花名册.xls")


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"{extra}'
    "</manifest:manifest>"
)


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
            f"<text:p>{'TRUE' if value else 'FALSE'}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, datetime.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value:%Y-%m-%d}"><text:p>{value:%Y-%m-%d}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


ODS_ERROR = (
    '<table:table-cell table:formula="of:=NA()" office:value-type="float" office:value="0" '
    'calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>'
)


def to_ods(
    source: io.BytesIO, *, errors: dict[tuple[int, int], bool] | None = None, encrypted: bool = False
) -> io.BytesIO:
    """An .xlsx test workbook rewritten as an OpenDocument spreadsheet; ``errors`` = {(row, col): True},
    0-based on the first sheet, become #N/A error cells."""
    source.seek(0)
    wb = load_workbook(source)
    tables = []
    for n, ws in enumerate(wb.worksheets):
        rows = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            cells = [
                ODS_ERROR if errors and n == 0 and (r, c) in errors else _ods_cell(v)
                for c, v in enumerate(row)
            ]
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(ws.title)}>{''.join(rows)}</table:table>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/manifest.xml",
            MANIFEST.format(
                extra='><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry>'
                if encrypted
                else "/>"
            ),
        )
        z.writestr("content.xml", content)
    return _named(out, "花名册.ods")
