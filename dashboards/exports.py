"""A dashboard as a workbook: one sheet per table, the layout offices report upward (core/excel writers)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from core.excel.columns import Column, Roster, Sheet
from core.excel.parsers import Text
from core.excel.writers import write_roster

LEVEL_NAMES = {
    "township": gettext_lazy("乡镇"),
    "village": gettext_lazy("行政村"),
    "natural_village": gettext_lazy("自然村"),
}


def _pct(value) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def dashboard_tables(board) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet name, headers, rows) of each table of the dashboard, the same figures the page shows."""
    f = board.figures
    tables = [
        (
            gettext("总体情况"),
            [
                gettext("单位"),
                gettext("建档立卡户数"),
                gettext("建档立卡人数"),
                gettext("未脱贫户数"),
                gettext("未脱贫人数"),
                gettext("已脱贫户数"),
                gettext("已脱贫人数"),
                gettext("户籍农业人口"),
                gettext("贫困发生率(%)"),
                gettext("计算时间"),
            ],
            [
                [
                    f.name or board.unit.name,
                    f.households,
                    f.persons,
                    f.poor_households,
                    f.poor_persons,
                    f.exited_households,
                    f.exited_persons,
                    f.population,
                    _pct(f.incidence),
                    board.computed_at.strftime("%Y-%m-%d %H:%M"),
                ]
            ],
        ),
        (
            gettext("各{level}排名").format(level=LEVEL_NAMES[board.row_level]),
            [
                gettext("排名"),
                str(LEVEL_NAMES[board.row_level]),
                gettext("建档立卡户数"),
                gettext("建档立卡人数"),
                gettext("未脱贫户数"),
                gettext("未脱贫人数"),
                gettext("已脱贫户数"),
                gettext("已脱贫人数"),
                gettext("贫困发生率(%)"),
                gettext("落后于目标"),
            ],
            [
                [
                    i,
                    r.name,
                    r.households,
                    r.persons,
                    r.poor_households,
                    r.poor_persons,
                    r.exited_households,
                    r.exited_persons,
                    _pct(r.incidence),
                    gettext("是") if r.id in board.behind else "",
                ]
                for i, r in enumerate(board.rows, 1)
            ],
        ),
        (
            gettext("分年度"),
            [
                gettext("年度"),
                gettext("识别户数(在册)"),
                gettext("未脱贫"),
                gettext("已脱贫"),
                gettext("返贫"),
                gettext("已清退"),
                gettext("在册人数"),
                gettext("当年脱贫户数"),
            ],
            [
                [
                    y["year"],
                    y["households"],
                    y["poor"],
                    y["exited"],
                    y["returned"],
                    y["removed"],
                    y["persons"],
                    y["exits"],
                ]
                for y in board.by_year
            ],
        ),
        (
            gettext("致贫原因"),
            [gettext("主要致贫原因"), gettext("户数"), gettext("其中未脱贫")],
            [[c["label"], c["households"], c["poor"]] for c in board.causes],
        ),
        (
            gettext("五个一批"),
            [gettext("类别"), gettext("户数"), gettext("人数")],
            [[b.label, b.households, b.persons] for b in board.batches],
        ),
    ]
    if board.completion:
        rows, total = board.completion
        tables.append(
            (
                gettext("走访完成情况"),
                [gettext("单位"), gettext("应走访"), gettext("已走访"), gettext("逾期")],
                [[r.name, r.due, r.visited, r.overdue] for r in [*rows, total]],
            )
        )
    p = board.projects
    tables.append(
        (
            gettext("项目与搬迁"),
            [gettext("项目"), gettext("计划"), gettext("完成")],
            [
                [gettext("项目投资（元）"), float(p.planned), float(p.invested)],
                [gettext("易地搬迁（户）"), board.relocation["planned"], board.relocation["moved"]],
            ],
        )
    )
    if board.targets:
        tables.append(
            (
                gettext("年度目标"),
                [
                    gettext("目标"),
                    gettext("目标户数"),
                    gettext("已完成户数"),
                    gettext("目标人数"),
                    gettext("已完成人数"),
                ],
                [
                    [str(t.target), t.target.households, t.households, t.target.persons, t.persons]
                    for t in board.targets
                ],
            )
        )
    tables.append(
        (
            gettext("待核查"),
            [gettext("事项"), gettext("户数")],
            [
                [gettext("符合脱贫条件但未申请"), board.look["unproposed"]],
                [gettext("已脱贫但不符合脱贫条件"), board.look["exited_below"]],
            ],
        )
    )
    return tables


def dashboard_workbook(board, stream: IO[bytes]) -> None:
    # Labels may be lazy translations (choices, verbose names): the writer takes plain text.
    tables = dashboard_tables(board)
    sheets = [
        (
            Sheet(
                str(name),
                [
                    Column(header=str(h), field=f"c{i}", parser=Text(500), width=14)
                    for i, h in enumerate(headers)
                ],
            ),
            ([str(v) if isinstance(v, Promise) else v for v in row] for row in rows),
        )
        for name, headers, rows in tables
    ]
    roster = Roster(name="dashboard", title=gettext("工作概况"), sheets=[sheet for sheet, _ in sheets])
    write_roster(roster, sheets, stream)
