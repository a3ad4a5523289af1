"""Exporting households in the roster layout (DESIGN.md §6), so an export imports back unchanged.

Streaming: rows come from the database in chunks (``iterator(chunk_size=...)``) straight into an openpyxl
write-only workbook, so memory stays flat whatever the number of households. Only the current members
are listed (a member who left is kept on record but is no longer on the roster). ID numbers are masked
where the user may not see them whole; such a file cannot be imported again, and its instructions say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from households.idnumbers import mask
from households.models import Assessment, Household, Member
from households.rosters import ASSESSMENTS, HOUSEHOLD_ROSTER, MEMBERS
from poverty_tracker.access import Access
from poverty_tracker.excel.writers import StreamingWorkbook
from villages.models import NaturalVillage

CHUNK = 2_000
MASKED_NOTE = (
    "注意：本文件中的身份证号已部分隐藏（*），不能再导入；需要导入时请由有权限查看完整身份证号的人员导出。"
)


def _places() -> dict[int, tuple[str, str, str]]:
    return {
        nv: (t, v, name)
        for nv, name, v, t in NaturalVillage.objects.values_list(
            "id", "name", "village__name", "village__township__name"
        )
    }


def _labels(sheet, field_name: str) -> dict[Any, Any]:
    return getattr(sheet.column(field_name).parser, "labels", {})


def _member_rows(households: QuerySet, masked: bool) -> Iterator[list[Any]]:
    places = _places()
    relation, sex, education, school, labour, migrant, attribute, cause, status = (
        _labels(MEMBERS, f)
        for f in (
            "relation", "sex", "education", "school_status", "labour", "migrant_work", "attribute",
            "main_cause", "status",
        )
    )  # fmt: skip
    health = MEMBERS.column("health").parser
    rows = (
        Member.objects.filter(household__in=households.values("pk"), left_reason="")
        .order_by("household__household_number", "id")
        .values_list(
            "household__household_number",
            "household__natural_village_id",
            "name",
            "id_number",
            "relation",
            "sex",
            "ethnicity",
            "education",
            "school_status",
            "health",
            "labour",
            "migrant_work",
            "household__attribute",
            "household__main_cause",
            "household__identified_year",
            "household__phone",
            "household__status",
            "household__exit_year",
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    for (number, nv, name, id_number, rel, sx, eth, edu, sch, hl, lab, mig, att, cau, year, phone, st, exit_year) in rows:  # fmt: skip
        t, v, n = places.get(nv, ("", "", ""))
        yield [
            number, t, v, n, name, mask(id_number) if masked else id_number, relation.get(rel), sex.get(sx),
            eth or None, education.get(edu), school.get(sch), health.to_cell(hl or []), labour.get(lab),
            migrant.get(mig), attribute.get(att), cause.get(cau), year, phone or None, status.get(st), exit_year,
        ]  # fmt: skip


def _assessment_rows(households: QuerySet) -> Iterator[list[Any]]:
    amounts = [ASSESSMENTS.column(f).parser for f in ("wage_income",)]
    to_amount = amounts[0].to_cell
    rows = (
        Assessment.objects.filter(household__in=households.values("pk"))
        .order_by("household__household_number", "year")
        .values_list(
            "household__household_number",
            "year",
            "wage_income",
            "operating_income",
            "property_income",
            "transfer_income",
            "operating_expense",
            *Assessment.SECURITY_FIELDS,
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    for number, year, *rest in rows:
        yield [
            number,
            year,
            *(to_amount(a) for a in rest[:5]),
            *("是" if b else "否" for b in rest[5:]),
        ]


def households_export(*, user, queryset: QuerySet[Household], stream: IO[bytes]) -> dict[str, Any]:
    """Write the households of ``queryset`` that ``user`` may see to ``stream`` as an .xlsx roster.

    Answers what was written: ``{"households", "members", "assessments", "masked"}``.
    """
    access = Access.for_user(user)
    households = access.visible(queryset.model._default_manager.filter(pk__in=queryset.values("pk")))
    masked = not access.sees_full_id_numbers
    book = StreamingWorkbook(HOUSEHOLD_ROSTER)
    members = book.sheet(MEMBERS, _member_rows(households, masked))
    assessments = book.sheet(ASSESSMENTS, _assessment_rows(households))
    book.instructions([MASKED_NOTE] if masked else ["本文件可修改后直接导入（按户编号、身份证号匹配）。"])
    book.save(stream)
    return {
        "households": households.count(),
        "members": members,
        "assessments": assessments,
        "masked": masked,
    }


def household_roster_template(*, user, stream: IO[bytes]) -> None:
    """An empty roster to fill in: drop-downs for every enumerated column; 乡镇, 行政村 and 自然村 drop
    down only the user's own scope."""
    from poverty_tracker.excel.writers import write_template
    from villages.models import AdministrativeVillage, Township

    access = Access.for_user(user)
    scoped = {
        "township": list(
            access.visible(Township.objects.order_by("code", "id")).values_list("name", flat=True)
        ),
        "village": list(
            dict.fromkeys(
                access.visible(
                    AdministrativeVillage.objects.order_by("township_id", "code", "id")
                ).values_list("name", flat=True)
            )
        ),
        "natural_village": list(
            dict.fromkeys(
                access.visible(NaturalVillage.objects.order_by("village_id", "code", "id")).values_list(
                    "name", flat=True
                )
            )
        ),
    }
    write_template(HOUSEHOLD_ROSTER, stream, scoped=scoped)
