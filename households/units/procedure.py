"""The village and township exit procedure, declared: its steps, who owns each, and when a 公示 runs.

乡镇申请 (the township proposes its village, or itself; a public notice of PUBLIC_NOTICE_DAYS starts, and
objections are recorded during it) → 县审批认定 (the county approves once the notice is over with no
objection left unresolved, re-checking the criteria; approval sets the unit's exit year). Any step may
reject with a reason. Whether a user may take a step is asked of Access (``may_take_step``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import Role
from households.units.models import UnitExitApplication, UnitExitState


@dataclass(frozen=True)
class Step:
    source: str | None  # the state an application must be in (None: the step creates it)
    target: str  # the state approval moves it to
    role: str  # the role that owns the step
    label: str
    starts_notice: bool = False


PROPOSE = Step(None, UnitExitState.PROPOSED, Role.TOWNSHIP_OFFICIAL, _("乡镇申请"), starts_notice=True)
APPROVE = Step(UnitExitState.PROPOSED, UnitExitState.COUNTY_APPROVED, Role.COUNTY_ADMIN, _("县审批认定"))
# The steps an existing application moves through, in order.
STEPS = (APPROVE,)
STEP_BY_SOURCE = {step.source: step for step in STEPS}
ROLE_LABELS = dict(Role.choices)


def today() -> datetime.date:
    return timezone.localdate()


def next_step(application: UnitExitApplication) -> Step | None:
    return STEP_BY_SOURCE.get(application.state)


def notice_open(application: UnitExitApplication, *, on: datetime.date | None = None) -> bool:
    """公示 runs through notice_ends_on inclusive."""
    return application.notice_ends_on is not None and (on or today()) <= application.notice_ends_on
