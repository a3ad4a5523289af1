"""Writes to geography and its pre-aggregated figures."""

from django.db import connection, transaction

from households.choices import POOR_STATUSES, Status
from villages.models import VillageFigures


@transaction.atomic
def village_figures_refresh() -> int:
    """Recount every village's households and persons in one set-based statement per table.

    Persons are current members (not left). 已清退 households count nowhere. Returns the villages refreshed.
    """
    figures = VillageFigures._meta.db_table
    poor = ", ".join(f"'{s}'" for s in POOR_STATUSES)
    counted = ", ".join(f"'{s}'" for s in (*POOR_STATUSES, Status.EXITED))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {figures}")
        cursor.execute(
            f"""
            INSERT INTO {figures} (village_id, households, persons, poor_households, poor_persons,
                                   exited_households, exited_persons, refreshed_at)
            SELECT v.id,
                   COUNT(h.id) FILTER (WHERE h.status IN ({counted})),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status IN ({counted})), 0),
                   COUNT(h.id) FILTER (WHERE h.status IN ({poor})),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status IN ({poor})), 0),
                   COUNT(h.id) FILTER (WHERE h.status = '{Status.EXITED}'),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status = '{Status.EXITED}'), 0),
                   CURRENT_TIMESTAMP
            FROM villages_administrativevillage v
            LEFT JOIN (
                SELECT hh.id, hh.village_id, hh.status,
                       (SELECT COUNT(*) FROM households_member m
                         WHERE m.household_id = hh.id AND m.left_reason = '') AS size
                FROM households_household hh
            ) h ON h.village_id = v.id
            GROUP BY v.id
            """
        )
        return cursor.rowcount
