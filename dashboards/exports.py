"""A dashboard as a workbook: one sheet per table, the layout offices report upward (core/excel writers)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.functional import Promise

from core.excel.columns import Column, Roster, Sheet
from core.excel.parsers import Text
from core.excel.writers import write_roster

LEVEL_NAMES = {"township": "乡镇", "village": "行政村", "natural_village": "自然村"}


def _pct(value) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def dashboard_tables(board) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet name, headers, rows) of each table of the dashboard, the same figures the page shows."""
    f = board.figures
    tables = [
        (
            "总体情况",
            [
                "单位",
                "建档立卡户数",
                "建档立卡人数",
                "未脱贫户数",
                "未脱贫人数",
                "已脱贫户数",
                "已脱贫人数",
                "户籍农业人口",
                "贫困发生率(%)",
                "计算时间",
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
            f"各{LEVEL_NAMES[board.row_level]}排名",
            [
                "排名",
                LEVEL_NAMES[board.row_level],
                "建档立卡户数",
                "建档立卡人数",
                "未脱贫户数",
                "未脱贫人数",
                "已脱贫户数",
                "已脱贫人数",
                "贫困发生率(%)",
                "落后于目标",
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
                    "是" if r.id in board.behind else "",
                ]
                for i, r in enumerate(board.rows, 1)
            ],
        ),
        (
            "分年度",
            ["年度", "识别户数(在册)", "未脱贫", "已脱贫", "返贫", "已清退", "在册人数", "当年脱贫户数"],
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
            "致贫原因",
            ["主要致贫原因", "户数", "其中未脱贫"],
            [[c["label"], c["households"], c["poor"]] for c in board.causes],
        ),
        ("五个一批", ["类别", "户数", "人数"], [[b.label, b.households, b.persons] for b in board.batches]),
    ]
    if board.completion:
        rows, total = board.completion
        tables.append(
            (
                "走访完成情况",
                ["单位", "应走访", "已走访", "逾期"],
                [[r.name, r.due, r.visited, r.overdue] for r in [*rows, total]],
            )
        )
    p = board.projects
    tables.append(
        (
            "项目与搬迁",
            ["项目", "计划", "完成"],
            [
                ["项目投资（元）", float(p.planned), float(p.invested)],
                ["易地搬迁（户）", board.relocation["planned"], board.relocation["moved"]],
            ],
        )
    )
    if board.targets:
        tables.append(
            (
                "年度目标",
                ["目标", "目标户数", "已完成户数", "目标人数", "已完成人数"],
                [
                    [str(t.target), t.target.households, t.households, t.target.persons, t.persons]
                    for t in board.targets
                ],
            )
        )
    tables.append(
        (
            "待核查",
            ["事项", "户数"],
            [
                ["符合脱贫条件但未申请", board.look["unproposed"]],
                ["已脱贫但不符合脱贫条件", board.look["exited_below"]],
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
    roster = Roster(name="dashboard", title="工作概况", sheets=[sheet for sheet, _ in sheets])
    write_roster(roster, sheets, stream)
