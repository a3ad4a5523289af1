"""Reading uploaded workbooks (.xlsx, .xls, .ods): bad-file detection, limits, then rows by python-calamine.

python-calamine (a Rust reader) parses the cells: about ten times faster than a Python walk of the sheet
XML, and it reads the old binary .xls (WPS, Excel 97-2003) and OpenDocument .ods as well. What it does
not tell is checked here, before or beside it:

- the file as a whole, before anything is parsed: size, format (magic bytes), password, and for the zip
  formats (.xlsx, .ods) each entry's inflation ratio and the inflated total (a zip bomb is refused from
  the zip directory, without inflating anything); a .xls is one OLE file, bounded by its size;
- the row limit: for .xlsx from the sheet's declared dimension before parsing, and for every format by
  counting the rows handed back;
- in .xlsx, formulas without a cached result and error values (#N/A …), which calamine reads as empty:
  a streamed scan of the sheet XML (bounded by each entry's declared size) finds whether there are any,
  and only then are those cells located. In .ods, error values are located the same way.

A caller that reads several sheets can name them in order (``read_ahead``): while it goes through one
sheet's rows, the next is scanned and parsed in a thread. calamine's parse lets go of Python's lock, so
on a second core it costs the caller no time. Every use of the calamine workbook holds one lock, as it
may not be used by two threads at once.

Values handed back: None, str, int/float, bool, datetime.datetime (for date cells), datetime.time /
timedelta (durations), ``FORMULA_NO_VALUE`` and ``ExcelError``. A formula's cached result is the value.
"""

from __future__ import annotations

import datetime
import io
import os
import posixpath
import re
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain, repeat
from typing import IO, Any
from xml.etree.ElementTree import ParseError, fromstring, iterparse

import python_calamine
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from core.excel.limits import Limits
from core.excel.normalise import _SPACES

PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REL_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref="([A-Z]*\d*):?([A-Z]*)(\d*)"')
_ROW_NUMBER = re.compile(r"\d+$")
# In a sheet's XML: the end of a formula element (<f>…</f>, <x:f>…</x:f>) or an error cell (t="e").
# Each needle is one fast scan of the whole sheet, so there are two. A shared formula's other cells
# (<f t="shared" si="0"/>) have no end tag, but the cell that holds the formula, in the same sheet, does;
# a drop-down's <formula1> ends in "1>". A needle found by chance only costs the full scan that locates
# the cells.
_MARKERS = (b"f>", b't="e"')
_ODS_ERROR = b'value-type="error"'
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_MIDNIGHT = datetime.time()
_EMPTY_TO_NONE = {"": None}
_date = datetime.date


class WorkbookRejected(Exception):
    """The file as a whole cannot be read; the message says why in Chinese, and where when it can."""

    def __init__(
        self, message: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None
    ):
        super().__init__(message)
        self.message, self.sheet, self.row, self.column = message, sheet, row, column


class ExcelError(str):
    """An error value Excel shows in the cell (#N/A, #DIV/0!, #REF! …).

    Never equal to a text, even one that reads the same: the engine looks cells up in a memo of texts
    already parsed, and an error cell must not be taken for the text "#N/A".
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is ExcelError and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((ExcelError, str(self)))


class _FormulaNoValue:
    def __repr__(self) -> str:
        return "FORMULA_NO_VALUE"


FORMULA_NO_VALUE = _FormulaNoValue()

PASSWORD = gettext_lazy("文件设有打开密码（已加密），无法读取；请在 Excel 中取消密码后另存为 .xlsx 再上传。")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _size(source) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _head(source, n: int = 8) -> bytes:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            return f.read(n)
    source.seek(0)
    data = source.read(n)
    source.seek(0)
    return data


def _contains(source, needle: bytes) -> bool:
    """Whether the file holds these bytes (read in chunks: the file is within ROSTER_MAX_BYTES)."""
    f = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    try:
        f.seek(0)
        tail = b""
        while chunk := f.read(1 << 20):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
        return False
    finally:
        if f is not source:
            f.close()
        else:
            f.seek(0)


def check_file(source, limits: Limits) -> str:
    """Refuse what is not a readable workbook before reading any row; answer its kind: xlsx, xls or ods."""
    size = _size(source)
    if size == 0:
        raise WorkbookRejected(gettext("文件为空（0 字节），请重新选择文件。"))
    if size > limits.max_bytes:
        raise WorkbookRejected(
            gettext("文件大小 {size:.1f} MB，超过上限 {limit:.0f} MB；请拆分后分批导入。").format(
                size=size / 1048576, limit=limits.max_bytes / 1048576
            )
        )
    head = _head(source)
    if head.startswith(OLE2_MAGIC):
        if _contains(source, "EncryptedPackage".encode("utf-16-le")):
            raise WorkbookRejected(str(PASSWORD))  # an encrypted .xlsx is an OLE file holding the package
        return "xls"
    if not head.startswith(b"PK"):
        if head.lstrip().startswith(b"<"):
            raise WorkbookRejected(
                gettext("文件是网页（HTML/XML）格式而不是 Excel 工作簿，请在 Excel 中另存为 .xlsx 后再上传。")
            )
        raise WorkbookRejected(
            gettext(
                "文件不是 Excel 工作簿（.xlsx），可能是 CSV 或文本文件改了扩展名；请在 Excel 中打开后“另存为” .xlsx 再上传。"
            )
        )
    return "zip"


class WorkbookReader:
    """One uploaded workbook (.xlsx, .xls or .ods), read sheet by sheet, row by row."""

    def __init__(self, source, limits: Limits | None = None):
        self.limits = limits or Limits.from_settings()
        self.kind = check_file(source, self.limits)
        self.zip: zipfile.ZipFile | None = None
        self.sheet_paths: dict[str, str] = {}
        self.merged: dict[str, list[str]] = {}
        self._sheets: dict[str, Any] = {}
        self._book_lock = threading.Lock()
        self._order: list[str] = []
        self._ahead: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None
        if self.kind == "zip":
            try:
                self.zip = zipfile.ZipFile(source)
            except (zipfile.BadZipFile, OSError, ValueError):
                raise WorkbookRejected(
                    gettext("文件已损坏或不是 .xlsx 工作簿（无法解压），请重新保存后上传。")
                ) from None
            self.kind = self._check_entries()
            if self.kind == "xlsx":
                self._read_sheet_paths()
        self.book = self._open_book(source)
        names = [
            m.name for m in self.book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if self.kind == "xlsx":  # chart sheets are listed by calamine as worksheets; keep only real ones
            names = [n for n in names if n in self.sheet_paths]
        self.sheet_names = names

    # -- the file as a whole ------------------------------------------------------------------------------

    def _check_entries(self) -> str:
        names = set(self.zip.namelist())
        if "xl/workbook.bin" in names:
            raise WorkbookRejected(gettext("不支持 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后再上传。"))
        ods = "content.xml" in names and (
            "mimetype" not in names or self.zip.read("mimetype").strip() == ODS_MIMETYPE
        )
        if "mimetype" in names and not ods:
            raise WorkbookRejected(
                gettext(
                    "这是 OpenDocument 文件但不是表格（.ods），请上传 Excel 工作簿（.xlsx、.xls）或 .ods 表格。"
                )
            )
        if not ods and "[Content_Types].xml" not in names:
            raise WorkbookRejected(
                gettext("压缩包不是 Excel 工作簿（缺少 [Content_Types].xml），请上传 .xlsx 文件。")
            )
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            # A zip bomb: an entry that inflates far more than XML ever does. Refused before reading.
            if info.file_size > 10 * 1048576 and info.file_size > self.limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise WorkbookRejected(
                    gettext(
                        "文件中的“{filename}”解压后 {size:.0f} MB，压缩比异常（疑似压缩炸弹），拒绝读取。"
                    ).format(filename=info.filename, size=info.file_size / 1048576)
                )
        if total > self.limits.max_uncompressed_bytes:
            raise WorkbookRejected(
                gettext("工作簿解压后共 {total:.0f} MB，超过上限 {limit:.0f} MB，拒绝读取。").format(
                    total=total / 1048576, limit=self.limits.max_uncompressed_bytes / 1048576
                )
            )
        if ods:
            if "META-INF/manifest.xml" in names and b"encryption-data" in self._read("META-INF/manifest.xml"):
                raise WorkbookRejected(str(PASSWORD))
            return "ods"
        if "xl/workbook.xml" not in names:
            raise WorkbookRejected(
                gettext("压缩包中没有工作簿（xl/workbook.xml），请上传 Excel 工作簿（.xlsx）。")
            )
        return "xlsx"

    def _open(self, name: str) -> IO[bytes]:
        info = self.zip.getinfo(name)
        return _Bounded(self.zip.open(info), info.file_size, name)

    def _read(self, name: str) -> bytes:
        try:
            with self._open(name) as f:
                return f.read()
        except (KeyError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise WorkbookRejected(
                gettext("工作簿结构损坏（{name}），请在 Excel 中重新保存后上传。").format(name=name)
            ) from exc

    def _read_sheet_paths(self) -> None:
        """Each worksheet's XML part (for its declared dimension and the formula scan)."""
        try:
            root = fromstring(self._read("xl/workbook.xml"))
            rels = fromstring(self._read("xl/_rels/workbook.xml.rels"))
        except ParseError as exc:
            raise WorkbookRejected(gettext("工作簿结构损坏，请在 Excel 中重新保存后上传。")) from exc
        targets = {}
        for rel in rels.iter(f"{PKG_REL}Relationship"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
        names = set(self.zip.namelist())
        for el in root.iter():
            if el.tag.rpartition("}")[2] != "sheet":
                continue
            rid = next((el.get(r) for r in REL_ID if el.get(r)), None)
            path = targets.get(rid)
            if path and path in names and "worksheet" in path.lower():
                self.sheet_paths[el.get("name", "")] = path

    def _open_book(self, source):
        try:
            if isinstance(source, str | os.PathLike):
                return python_calamine.CalamineWorkbook.from_path(os.fspath(source))
            source.seek(0)
            data = source.read()
            source.seek(0)
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError:
            raise WorkbookRejected(str(PASSWORD)) from None
        except Exception as exc:  # calamine's errors for a broken file (and panics) are all "cannot read"
            if self.kind == "xls":
                raise WorkbookRejected(
                    gettext(
                        "这是旧版 Excel 97-2003 文件（.xls），但无法读取（可能已损坏）；"
                        "请在 Excel 中“另存为” Excel 工作簿（.xlsx）后再上传。"
                    )
                ) from exc
            raise WorkbookRejected(
                gettext("工作簿结构损坏，无法读取，请在 Excel 中重新保存后上传。")
            ) from exc

    def _sheet(self, name: str):
        sheet = self._sheets.get(name)
        if sheet is None:
            try:
                with self._book_lock:
                    sheet = self._sheets.get(name) or self.book.get_sheet_by_name(name)
                    self._sheets[name] = sheet
            except python_calamine.PasswordError:
                raise WorkbookRejected(str(PASSWORD)) from None
            except Exception as exc:
                raise WorkbookRejected(
                    gettext("工作表“{name}”的内容损坏，请在 Excel 中重新保存后上传。").format(name=name),
                    sheet=name,
                ) from exc
        return sheet

    # -- rows -------------------------------------------------------------------------------------------

    def dimension_rows(self, sheet: str) -> int | None:
        """The last row the sheet declares: .xlsx from <dimension ref="A1:T2001"> in its first bytes (None
        when it declares none, as streamed workbooks do); .xls and .ods from the parsed sheet."""
        if self.kind != "xlsx":
            found = self._sheet(sheet)
            return found.end[0] + 1 if found.end else 0
        with self._open(self.sheet_paths[sheet]) as f:
            head = f.read(4096).decode("utf-8", "replace")
        match = _DIMENSION.search(head)
        if not match:
            return None
        last = match.group(3) or _ROW_NUMBER.search(match.group(1) or "")
        if hasattr(last, "group"):
            last = last.group(0)
        return int(last) if last else None

    def _markers(self, sheet: str) -> dict[tuple[int, int], Any]:
        """(row number, column index) -> FORMULA_NO_VALUE or ExcelError: the cells calamine reads as empty."""
        if self.kind == "xlsx":
            return self._xlsx_markers(sheet)
        if self.kind == "ods":
            return self._ods_markers(sheet)
        return {}

    def _xlsx_markers(self, sheet: str) -> dict[tuple[int, int], Any]:
        path = self.sheet_paths[sheet]
        info = self.zip.getinfo(path)
        found = False
        left = info.file_size + 1
        try:
            with self.zip.open(info) as f:  # streamed; also proves the entry inflates no more than declared
                tail = b""
                while chunk := f.read(4 << 20):
                    left -= len(chunk)
                    if left < 0:
                        raise WorkbookRejected(
                            gettext(
                                "文件中的“{path}”解压后超过其声明的大小（疑似压缩炸弹），拒绝读取。"
                            ).format(path=path)
                        )
                    if not found:
                        window = tail + chunk[:32] if tail else b""
                        found = any(m in chunk or (window and m in window) for m in _MARKERS)
                    tail = chunk[-32:]
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise WorkbookRejected(
                gettext("文件已损坏（解压出错），请重新保存后上传。"), sheet=sheet
            ) from exc
        if not found:
            return {}
        markers: dict[tuple[int, int], Any] = {}
        row_number = 0
        try:
            with self._open(path) as f:
                for _, el in iterparse(f, events=("end",)):
                    tag = el.tag.rpartition("}")[2]
                    if tag == "row":
                        el.clear()
                        continue
                    if tag != "c":
                        continue
                    ref = el.get("r") or ""
                    letters = ref.rstrip("0123456789")
                    digits = ref[len(letters) :]
                    if digits:
                        row_number = int(digits)
                    value, formula = None, False
                    for child in el:
                        ctag = child.tag.rpartition("}")[2]
                        if ctag == "v":
                            value = child.text
                        elif ctag == "f":
                            formula = True
                    if not letters:
                        continue
                    if el.get("t") == "e" and value:
                        markers[(row_number, column_index(letters))] = ExcelError(value)
                    elif formula and not value:
                        markers[(row_number, column_index(letters))] = FORMULA_NO_VALUE
        except ParseError as exc:
            raise WorkbookRejected(
                gettext("工作表“{sheet}”的内容损坏（第 {row} 行附近），请在 Excel 中重新保存后上传。").format(
                    sheet=sheet, row=row_number + 1
                ),
                sheet=sheet,
                row=row_number + 1,
            ) from exc
        return markers

    def _ods_markers(self, sheet: str) -> dict[tuple[int, int], Any]:
        if _ODS_ERROR not in self._read("content.xml"):
            return {}
        markers: dict[tuple[int, int], Any] = {}
        table, row, col = None, 0, 0
        repeated = f"{_TABLE}number-columns-repeated"
        with self._open("content.xml") as f:
            for event, el in iterparse(f, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == f"{_TABLE}table":
                        table, row = el.get(f"{_TABLE}name"), 0
                    elif tag == f"{_TABLE}table-row":
                        col = 0
                    continue
                if tag == f"{_TABLE}table-row":
                    row += int(el.get(f"{_TABLE}number-rows-repeated", "1"))
                    el.clear()
                elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                    if table == sheet and el.get(_CALCEXT_TYPE) == "error":
                        text = "".join(el.find(_TEXT).itertext()) if el.find(_TEXT) is not None else "#VALUE!"
                        markers[(row + 1, col)] = ExcelError(text)
                    col += int(el.get(repeated, "1"))
        return markers

    def read_ahead(self, names: list[str]) -> None:
        """The sheets the caller will read, in order: each is prepared while the one before is read."""
        self._order = [n for n in names if n in self.sheet_names]

    def _prepare(self, sheet: str) -> tuple[dict[tuple[int, int], Any], Any]:
        """The checks that come before calamine parses a sheet, then the parse (also when read ahead)."""
        if self.kind == "xlsx":  # a sheet declaring too many rows is refused unparsed
            declared = self.dimension_rows(sheet)
            if declared is not None and declared > self.limits.max_rows + 1:
                raise WorkbookRejected(
                    gettext(
                        "工作表“{sheet}”共 {declared:,} 行，超过单次导入上限 {max_rows:,} 行；请拆分后分批导入（如末尾有大量空白行，请删除后再上传）。"
                    ).format(sheet=sheet, declared=declared, max_rows=self.limits.max_rows),
                    sheet=sheet,
                )
        # Then the scan, which inflates the sheet XML within its declared size: calamine then never
        # parses an entry whose header lies about its size.
        return self._markers(sheet), self._sheet(sheet)

    def _prepare_next(self, sheet: str) -> None:
        if sheet not in self._order:
            return
        following = self._order[self._order.index(sheet) + 1 :]
        if not following or following[0] in self._ahead:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbook-read-ahead")
        language = translation.get_language()  # the thread's messages in the caller's language

        def prepare(name: str = following[0]):
            with translation.override(language):
                return self._prepare(name)

        self._ahead[following[0]] = self._pool.submit(prepare)

    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values by column index) for each row with at least one value.

        Empty rows (or formatted but empty) are skipped. Merged ranges are in ``self.merged[sheet]``
        (as A1:B2 references) once reading has begun.
        """
        limits = self.limits
        ahead = self._ahead.pop(sheet, None)
        markers, found = ahead.result() if ahead is not None else self._prepare(sheet)
        self._prepare_next(sheet)
        self.merged[sheet] = [
            f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
            for (r1, c1), (r2, c2) in (found.merged_cell_ranges or ())
        ]
        start_col = found.start[1] if found.start else 0
        pad = [None] * start_col  # calamine's rows begin at the first used column
        by_row: dict[int, list[tuple[int, Any]]] = {}
        for (r, c), marker in markers.items():
            by_row.setdefault(r, []).append((c, marker))
        marked_rows = sorted(by_row)
        kept = 0
        number = 0
        for raw in self._with_marked_rows(found, marked_rows):
            number += 1
            try:
                values = list(map(_EMPTY_TO_NONE.get, raw, raw))  # "" -> None, in C
            except TypeError:  # a value that cannot be a dict key: none of calamine's kinds is one
                values = [None if v == "" else v for v in raw]
            if _date in map(type, values):
                values = [
                    datetime.datetime.combine(v, _MIDNIGHT) if v.__class__ is _date else v for v in values
                ]
            if start_col:
                values = pad + values
            if by_row and number in by_row:
                for c, marker in by_row[number]:
                    if c >= len(values):
                        values.extend([None] * (c + 1 - len(values)))
                    values[c] = marker
            while values and values[-1] is None:
                values.pop()
            first = values[0] if values else None
            if (first is None or (first.__class__ is str and not first.strip(_SPACES))) and not any(
                v is not None and not (v.__class__ is str and not v.strip(_SPACES)) for v in values
            ):
                continue  # formatted but empty: not data
            kept += 1
            if kept > limits.max_rows + 1:
                raise WorkbookRejected(
                    gettext("工作表“{sheet}”超过单次导入上限 {max_rows:,} 行；请拆分后分批导入。").format(
                        sheet=sheet, max_rows=limits.max_rows
                    ),
                    sheet=sheet,
                    row=number,
                )
            yield number, values
        # Read once: calamine's copy of the sheet goes now, not when the workbook closes.
        self._sheets.pop(sheet, None)

    @staticmethod
    def _with_marked_rows(found, marked_rows: list[int]) -> Iterator[list[Any]]:
        """The sheet's rows from its first, then empty rows up to the last marked cell past its end (a lone
        formula). calamine hands back the rows above the first used one too, empty, so the n-th row given
        is row n of the sheet (its columns, though, begin at the first used one)."""
        rows = found.iter_rows()
        extra = max(marked_rows, default=0) - (found.end[0] + 1 if found.end else 0)
        return chain(rows, repeat([], extra)) if extra > 0 else rows

    def close(self) -> None:
        if self._pool is not None:  # a sheet still being prepared is finished before the book closes
            self._pool.shutdown(wait=True, cancel_futures=True)
        self.book.close()
        if self.zip is not None:
            self.zip.close()

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


XlsxReader = WorkbookReader  # the name callers used when only .xlsx was read


class _Bounded(io.RawIOBase):
    """A zip entry that may not inflate past its declared size (a lying header is a zip bomb too)."""

    def __init__(self, raw: IO[bytes], declared: int, name: str):
        self.raw, self.left, self.name = raw, declared + 1, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(min(len(buffer), 1 << 16))
        self.left -= len(data)
        if self.left < 0:
            raise WorkbookRejected(
                gettext("文件中的“{name}”解压后超过其声明的大小（疑似压缩炸弹），拒绝读取。").format(
                    name=self.name
                )
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()
