"""Writes to the responsibility records: pairings (挂包帮), revisits (转走访), work units and cadres."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments.models import Cadre, Pairing
from core.validation import is_record_id
from villages.models import AdministrativeVillage

# -- pairings (挂包帮) --------------------------------------------------------------------------------


def _household_in_scope(user, household_id: int):
    from core.access import Access
    from households.models import Household

    return Access.for_user(user).get_or_404(
        Household.objects.select_related("township__county"), pk=household_id
    )


@transaction.atomic
def pairing_create(*, cadre: Cadre, household, started_on, user) -> Pairing:
    """Pair a cadre with a household. A household has one active cadre: an active pairing is ended first
    (re-pairing), so the history keeps who helped when."""
    from core.access import Access

    household = _household_in_scope(user, household.pk)
    if not Access.for_user(user).may_change_model(Pairing):
        raise ValidationError(_("您的角色不能安排结对帮扶。"))
    if not cadre.active:
        raise ValidationError({"cadre": _("干部 {name} 已不在岗。").format(name=cadre.name)})
    current = Pairing.objects.select_for_update().filter(household=household, ended_on__isnull=True).first()
    if current is not None:
        if current.cadre_id == cadre.pk:
            raise ValidationError({"cadre": _("{name} 已在帮扶该户。").format(name=cadre.name)})
        if started_on < current.started_on:
            raise ValidationError({"started_on": _("新结对的开始日期不能早于原结对的开始日期。")})
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    return Pairing.objects.create(cadre=cadre, household=household, started_on=started_on)


@transaction.atomic
def pairing_end(*, pairing: Pairing, ended_on, user) -> Pairing:
    from core.access import Access

    access = Access.for_user(user)
    pairing = access.get_or_404(Pairing.objects.select_for_update(), pk=pairing.pk)
    if not access.may_change_model(Pairing):
        raise ValidationError(_("您的角色不能结束结对帮扶。"))
    if pairing.ended_on is not None:
        raise ValidationError(_("该结对已结束。"))
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    return pairing


# -- revisits (转走访) --------------------------------------------------------------------------------

# Photos are decoded with Pillow and re-encoded: what is stored is an image the server wrote, under a name
# the server chose, never the bytes or the name that were sent (a GIF header before HTML is not a photo).
PHOTO_FORMATS = {
    "JPEG": ("jpg", "JPEG"),
    "PNG": ("png", "PNG"),
    "WEBP": ("webp", "WEBP"),
    "GIF": ("png", "PNG"),
}
REVISIT_TEXT_MAX = 5000  # characters per text field of a revisit
RISK_NOTE_MAX = 200  # characters of a revisit's risk note


@dataclass(frozen=True)
class RevisitRisk:
    """How a risk found on a revisit reaches 防返贫监测, declared by the monitoring app (its AppConfig.ready):
    the risk types a cadre chooses from, and the action that raises a candidate from a stored revisit."""

    risk_types: tuple[str, ...]
    # (*, revisit) -> the candidate; called inside the revisit's transaction, so a failure stores neither.
    raise_candidate: Callable[..., object]


_revisit_risk: RevisitRisk | None = None


def revisit_risk_register(risk: RevisitRisk) -> None:
    global _revisit_risk
    _revisit_risk = risk


def revisit_risk_types() -> tuple[str, ...]:
    """The risk types a revisit may report (none when no monitoring app declared them)."""
    return _revisit_risk.risk_types if _revisit_risk else ()


def _check_risk(risk_types, risk_note: str) -> tuple[list[str], dict]:
    """The risk types as stored (trimmed, each once, in the declared order) and the field errors."""
    from django.utils.translation import gettext as _

    chosen = {str(r).strip() for r in risk_types or () if str(r).strip()}
    known = revisit_risk_types()
    errors = {}
    unknown = sorted(chosen - set(known))
    if unknown:
        errors["risk_types"] = _("风险类型“%(unknown)s”不在可选范围内（%(known)s）。") % {
            "unknown": "、".join(unknown),
            "known": "、".join(known) or _("未启用防返贫监测"),
        }
    if len(risk_note or "") > RISK_NOTE_MAX:
        errors["risk_note"] = _("风险说明不能超过 %(max)s 字（现为 %(n)s 字）。") % {
            "max": RISK_NOTE_MAX,
            "n": len(risk_note),
        }
    elif (risk_note or "").strip() and not chosen:
        errors["risk_types"] = _("填写了风险说明，请同时选择风险类型（如 因病、因灾）。")
    return [r for r in known if r in chosen], errors


REVISIT_TEXT_LABELS = {
    "situation": gettext_lazy("基本情况"),
    "problems": gettext_lazy("发现问题"),
    "help_given": gettext_lazy("帮扶内容"),
}


def _check_photo(photo):
    """The photo re-encoded as a new file (JPEG, PNG or WebP), or a ValidationError naming the file."""
    import io
    import uuid

    from django.conf import settings
    from django.core.files.base import ContentFile
    from PIL import Image, UnidentifiedImageError

    limit = getattr(settings, "REVISIT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    if photo.size > limit:
        raise ValidationError(
            {
                "photos": _("照片 {name} 为 {size:.1f} MB，超过 {limit:.0f} MB 上限。").format(
                    name=photo.name, size=photo.size / 1048576, limit=limit / 1048576
                )
            }
        )
    not_an_image = ValidationError(
        {"photos": _("文件 {name} 不是图片（支持 JPEG、PNG、WebP、GIF）。").format(name=photo.name)}
    )
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            if image.format not in PHOTO_FORMATS:
                raise not_an_image
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise not_an_image
            image.load()
            extension, fmt = PHOTO_FORMATS[image.format]
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif fmt == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, fmt)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_an_image from None
    finally:
        photo.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _check_revisit_text(values: dict) -> dict:
    return {
        field: _("{label}不能超过 {limit} 字（现为 {length} 字）。").format(
            label=REVISIT_TEXT_LABELS[field], limit=REVISIT_TEXT_MAX, length=len(value)
        )
        for field, value in values.items()
        if field in REVISIT_TEXT_LABELS and len(value or "") > REVISIT_TEXT_MAX
    }


def _check_round(round_id, visited_on) -> dict:
    """A revisit is filed under a round only when its date falls within that round's dates (finding 7)."""
    from assignments.models import RevisitRound

    rnd = RevisitRound.objects.filter(pk=round_id).first() if is_record_id(round_id) else None
    if rnd is None:
        return {"round_id": _("回访轮次不存在: {round_id}").format(round_id=round_id)}
    if not (rnd.starts_on <= visited_on <= rnd.ends_on):
        return {
            "round_id": _(
                "走访日期 {visited_on} 不在回访轮次“{name}”（{starts_on} 至 {ends_on}）内。"
            ).format(visited_on=visited_on, name=rnd.name, starts_on=rnd.starts_on, ends_on=rnd.ends_on)
        }
    return {}


def _outside_county(latitude, longitude) -> bool:
    from django.conf import settings

    south, west, north, east = getattr(settings, "COUNTY_BBOX", (25.4, 101.6, 26.1, 102.1))
    return not (south <= float(latitude) <= north and west <= float(longitude) <= east)


@dataclass(frozen=True)
class RevisitResult:
    revisit: object
    created: bool


@transaction.atomic
def revisit_record(
    *,
    user,
    household_id: int,
    client_uuid,
    visited_on,
    kind: str = "home",
    situation: str = "",
    problems: str = "",
    help_given: str = "",
    round_id: int | None = None,
    latitude=None,
    longitude=None,
    location_accuracy: float | None = None,
    photos: tuple = (),
    risk_types: list[str] | tuple = (),
    risk_note: str = "",
):
    """Record a revisit from a cadre's phone. Idempotent by client_uuid: a resend returns the stored one.

    The household must be actively paired with this cadre (anything else is 404 via the access rule).
    A revisit that reports a risk (``risk_types``, ``risk_note``) raises a monitoring candidate (发现, found by
    干部走访排查) in the same transaction, once: a resend stores nothing and raises nothing.
    """
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from assignments.models import Revisit, RevisitPhoto, RevisitRound
    from core.access import Access

    existing = Revisit.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.cadre_id != user.cadre_id:
            raise ValidationError({"client_uuid": _("该编号已被其他记录使用。")})
        return RevisitResult(existing, False)
    if not Access.for_user(user).is_cadre or user.cadre_id is None:
        raise ValidationError(_("走访记录由挂包干部填写。"))
    household = _household_in_scope(user, household_id)
    pairing = Pairing.objects.filter(
        cadre_id=user.cadre_id, household=household, ended_on__isnull=True
    ).first()
    if pairing is None:  # visible through a past pairing's records, but no longer theirs to record
        from django.http import Http404

        raise Http404(_("未找到该户。"))
    errors = {}
    if isinstance(visited_on, str):
        try:
            visited_on = datetime.date.fromisoformat(visited_on)
        except ValueError:
            errors["visited_on"] = _("走访日期格式错误: {visited_on}").format(visited_on=visited_on)
    if not errors.get("visited_on"):
        if visited_on > timezone.localdate():
            errors["visited_on"] = _("走访日期不能晚于今天。")
        elif visited_on < pairing.started_on:
            errors["visited_on"] = _("走访日期不能早于结对开始日期 {started_on}。").format(
                started_on=pairing.started_on
            )
    if kind not in Revisit.Kind.values:
        errors["kind"] = _("走访方式应为入户或电话。")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("经纬度须同时填写。")
    errors.update(
        _check_revisit_text({"situation": situation, "problems": problems, "help_given": help_given})
    )
    max_photos = getattr(settings, "REVISIT_MAX_PHOTOS", 9)
    if len(photos) > max_photos:
        errors["photos"] = [
            _("每次走访最多 {max_photos} 张照片，本次为 {length} 张。").format(
                max_photos=max_photos, length=len(photos)
            )
        ]
    stored_photos = []
    for photo in photos if "photos" not in errors else ():
        try:
            stored_photos.append(_check_photo(photo))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.message_dict["photos"])
    if round_id is not None and not errors.get("visited_on"):
        errors.update(_check_round(round_id, visited_on))
    risk_types, risk_errors = _check_risk(risk_types, risk_note)
    errors.update(risk_errors)
    if errors:
        raise ValidationError(errors)
    if round_id is None:
        found = RevisitRound.objects.filter(starts_on__lte=visited_on, ends_on__gte=visited_on).first()
        round_id = found.pk if found else None
    fields = dict(
        household=household,
        cadre_id=user.cadre_id,
        round_id=round_id,
        visited_on=visited_on,
        kind=kind,
        situation=situation,
        problems=problems,
        help_given=help_given,
        risk_types=risk_types,
        risk_note=(risk_note or "").strip(),
        client_uuid=client_uuid,
        latitude=latitude,
        longitude=longitude,
        location_accuracy=location_accuracy,
        # A position outside the county is kept but flagged for a look (GPS drift, or a visit by phone).
        location_flagged=latitude is not None and _outside_county(latitude, longitude),
    )
    try:
        with transaction.atomic():  # a savepoint: two sends of one UUID at once (finding 12)
            revisit = Revisit.objects.create(**fields)
    except IntegrityError:
        existing = Revisit.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        if existing.cadre_id != user.cadre_id:
            raise ValidationError({"client_uuid": _("该编号已被其他记录使用。")}) from None
        return RevisitResult(existing, False)
    for photo in stored_photos:
        RevisitPhoto.objects.create(revisit=revisit, image=photo)
    if revisit.risk_types and _revisit_risk is not None:
        _revisit_risk.raise_candidate(revisit=revisit)
    return RevisitResult(revisit, True)


class RevisitConflict(ValidationError):
    """The record changed on the server since the phone fetched it: show both, never overwrite."""

    def __init__(self, server):
        super().__init__(_("该走访记录在您离线期间已被修改，请核对后再提交。"), code="conflict")
        self.server = server


@transaction.atomic
def revisit_update(*, revisit, user, base_updated_at, **changes):
    """Edit a revisit; refused as a conflict when it changed after the version the editor started from."""
    from assignments.models import Revisit
    from core.access import Access

    access = Access.for_user(user)
    revisit = access.get_or_404(Revisit.objects.select_for_update(), pk=revisit.pk)
    if not access.can_change(revisit):
        raise ValidationError(_("您不能修改这条走访记录。"))
    if isinstance(base_updated_at, str):
        from django.utils.dateparse import parse_datetime

        base_updated_at = parse_datetime(base_updated_at)
    if base_updated_at is None or revisit.updated_at != base_updated_at:
        raise RevisitConflict(revisit)
    allowed = {"visited_on", "kind", "situation", "problems", "help_given"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: _("该字段不能修改。") for f in sorted(unknown)})
    too_long = _check_revisit_text(changes)
    if too_long:
        raise ValidationError(too_long)
    if "visited_on" in changes:
        import datetime

        from django.utils import timezone

        visited_on = changes["visited_on"]
        if isinstance(visited_on, str):
            try:
                visited_on = changes["visited_on"] = datetime.date.fromisoformat(visited_on)
            except ValueError:
                raise ValidationError(
                    {"visited_on": _("走访日期格式错误: {visited_on}").format(visited_on=visited_on)}
                ) from None
        pairing = (
            Pairing.objects.filter(cadre_id=revisit.cadre_id, household_id=revisit.household_id)
            .order_by("started_on")
            .first()
        )
        if visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
        if pairing is not None and visited_on < pairing.started_on:
            raise ValidationError(
                {
                    "visited_on": _("走访日期不能早于结对开始日期 {started_on}。").format(
                        started_on=pairing.started_on
                    )
                }
            )
        if revisit.round_id is not None:
            wrong_round = _check_round(revisit.round_id, visited_on)
            if wrong_round:
                raise ValidationError({"visited_on": wrong_round["round_id"]})
    for name, value in changes.items():
        setattr(revisit, name, value)
    revisit.save()
    return revisit


# -- officials' pages and API: pairing in bulk, work units, cadres, revisit rounds ---------------------

from assignments.models import WorkUnit, WorkUnitVillage  # noqa: E402  (appended block)


def _date_or_error(value, field: str, label: str):
    import datetime

    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            {
                field: _("{label}格式错误：“{value}”，应为 2016-03-01 这样的日期。").format(
                    label=label, value=value
                )
            }
        ) from None


def _pairing_cadre(user, *, cadre_id, village_id: int) -> Cadre:
    """The cadre to pair, among those the village may be given (单位挂村: a unit's cadres help the households
    of the villages it is linked to)."""
    from assignments.selectors import pairing_cadre_choices
    from core.access import Access

    if not is_record_id(cadre_id):
        raise ValidationError({"cadre": _("干部编号无效：“{cadre_id}”。").format(cadre_id=cadre_id)})
    cadre = (
        pairing_cadre_choices(access=Access.for_user(user), village_id=village_id)
        .filter(pk=int(cadre_id))
        .first()
    )
    if cadre is None:
        known = Cadre.objects.filter(pk=int(cadre_id)).select_related("unit").first()
        if known is not None and not known.active:
            raise ValidationError({"cadre": _("干部 {name} 已不在岗。").format(name=known.name)})
        raise ValidationError({"cadre": _("未找到该干部，或其所在单位未挂联该村（请先在单位挂村中添加）。")})
    return cadre


@transaction.atomic
def pairing_assign(*, user, household_id: int, cadre_id: int, started_on) -> Pairing:
    """Pair (or re-pair) one household with a cadre available to its village; see ``pairing_create``."""
    household = _household_in_scope(user, household_id)
    started_on = _date_or_error(started_on, "started_on", _("开始日期"))
    cadre = _pairing_cadre(user, cadre_id=cadre_id, village_id=household.village_id)
    return pairing_create(cadre=cadre, household=household, started_on=started_on, user=user)


@dataclass(frozen=True)
class PairingBatchResult:
    paired: int = 0
    repaired: int = 0
    ended: int = 0

    @property
    def changed(self) -> int:
        return self.paired + self.repaired + self.ended


PAIRING_END = "end"


@transaction.atomic
def pairings_apply(*, user, village_id: int, changes: dict[int, str | int], on) -> PairingBatchResult:
    """Pair, re-pair and end pairings of many households of one village at once.

    ``changes`` maps a household id to a cadre id (pair or re-pair) or ``"end"``. All or nothing: if one
    change is refused, none is made and every refusal is reported with its household number.
    """
    from core.access import Access
    from households.models import Household

    access = Access.for_user(user)
    village = access.get_or_404(AdministrativeVillage.objects, pk=village_id)
    if not access.may_change_model(Pairing):
        raise ValidationError(_("您的角色不能安排结对帮扶。"))
    on = _date_or_error(on, "on", _("日期"))
    if not changes:
        raise ValidationError(_("没有要保存的变更：请为至少一户选择干部或“结束结对”。"))
    households = {
        h.pk: h for h in access.visible(Household.objects.filter(village=village, pk__in=list(changes)))
    }
    active = {
        p.household_id: p
        for p in Pairing.objects.filter(household_id__in=list(households), ended_on__isnull=True)
    }
    errors: list[str] = []
    paired = repaired = ended = 0
    for household_id, target in changes.items():
        household = households.get(household_id)
        if household is None:
            errors.append(
                _("户 ID {household_id} 不在{name}或不在您的管辖范围内。").format(
                    household_id=household_id, name=village.name
                )
            )
            continue
        try:
            if target == PAIRING_END:
                if household_id not in active:
                    raise ValidationError(_("该户没有在帮的干部，无需结束。"))
                pairing_end(pairing=active[household_id], ended_on=on, user=user)
                ended += 1
            else:
                pairing_assign(user=user, household_id=household_id, cadre_id=target, started_on=on)
                if household_id in active:
                    repaired += 1
                else:
                    paired += 1
        except ValidationError as exc:
            errors.extend(
                _("{number} {head}：{message}").format(
                    number=household.household_number, head=household.head_name, message=m
                )
                for m in exc.messages
            )
    if errors:
        raise ValidationError(errors)
    return PairingBatchResult(paired=paired, repaired=repaired, ended=ended)


def _county_admin_only(user, what: str) -> None:
    """Work units, cadres and revisit rounds are reference data, kept by the county admin."""
    from core.access import Access

    if not Access.for_user(user).keeps_reference_data:
        raise ValidationError(_("只有县扶贫办管理员可以{what}。").format(what=what))


def _work_unit_links(unit: WorkUnit, villages, started_on) -> None:
    """Set the unit's linked villages (单位挂村): new links start on ``started_on``; links kept keep theirs."""
    wanted = {v.pk if isinstance(v, AdministrativeVillage) else int(v) for v in villages}
    found = set(AdministrativeVillage.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        missing = _("、").join(str(i) for i in sorted(wanted - found))
        raise ValidationError({"villages": _("未找到行政村 ID {missing}。").format(missing=missing)})
    WorkUnitVillage.objects.filter(unit=unit).exclude(village_id__in=wanted).delete()
    have = set(WorkUnitVillage.objects.filter(unit=unit).values_list("village_id", flat=True))
    WorkUnitVillage.objects.bulk_create(
        [WorkUnitVillage(unit=unit, village_id=v, started_on=started_on) for v in sorted(wanted - have)]
    )


def _unique_unit_name(unit: WorkUnit) -> None:
    if WorkUnit.objects.filter(name=unit.name).exclude(pk=unit.pk).exists():
        raise ValidationError({"name": _("挂联单位“{name}”已存在。").format(name=unit.name)})


@transaction.atomic
def work_unit_create(
    *, user, name: str, level: str = WorkUnit.Level.COUNTY, leader: str = "", phone: str = "", villages=None
) -> WorkUnit:
    from django.utils import timezone

    _county_admin_only(user, _("新增挂联单位"))
    unit = WorkUnit(name=(name or "").strip(), level=level, leader=leader.strip(), phone=phone.strip())
    _unique_unit_name(unit)
    unit.full_clean()
    unit.save()
    if villages is not None:
        _work_unit_links(unit, villages, timezone.localdate())
    return unit


@transaction.atomic
def work_unit_update(*, user, unit: WorkUnit, villages=None, **fields) -> WorkUnit:
    from django.utils import timezone

    _county_admin_only(user, _("修改挂联单位"))
    unit = WorkUnit.objects.select_for_update().get(pk=unit.pk)
    unknown = set(fields) - {"name", "level", "leader", "phone"}
    if unknown:
        raise ValidationError({f: _("该字段不能修改。") for f in sorted(unknown)})
    for name, value in fields.items():
        setattr(unit, name, value.strip() if isinstance(value, str) else value)
    _unique_unit_name(unit)
    unit.full_clean()
    unit.save()
    if villages is not None:
        _work_unit_links(unit, villages, timezone.localdate())
    return unit


def _check_phone(phone: str) -> str:
    import re

    phone = (phone or "").strip()
    # 11-digit mobiles or landlines like 0878-8212345: the 公示牌 prints this number for villagers to call.
    if phone and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", phone):
        raise ValidationError(
            {
                "phone": _(
                    "联系电话“{phone}”格式不对：应为 11 位手机号或 0878-8212345 这样的座机号。"
                ).format(phone=phone)
            }
        )
    return phone


@transaction.atomic
def cadre_create(*, user, name: str, unit: WorkUnit, post: str = "", phone: str = "") -> Cadre:
    _county_admin_only(user, _("新增干部"))
    cadre = Cadre(name=(name or "").strip(), unit=unit, post=(post or "").strip(), phone=_check_phone(phone))
    cadre.full_clean()
    cadre.save()
    return cadre


@transaction.atomic
def cadre_update(*, user, cadre: Cadre, **fields) -> Cadre:
    """Change a cadre's record. A cadre leaving (active False) keeps their pairings: end them first."""
    _county_admin_only(user, _("修改干部信息"))
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    unknown = set(fields) - {"name", "unit", "post", "phone", "active"}
    if unknown:
        raise ValidationError({f: _("该字段不能修改。") for f in sorted(unknown)})
    if "phone" in fields:
        fields["phone"] = _check_phone(fields["phone"])
    if fields.get("active") is False and cadre.active:
        count = Pairing.objects.filter(cadre=cadre, ended_on__isnull=True).count()
        if count:
            raise ValidationError(
                {
                    "active": _("{name} 仍在帮扶 {count} 户，请先结束或调整这些结对。").format(
                        name=cadre.name, count=count
                    )
                }
            )
    for name, value in fields.items():
        setattr(cadre, name, value.strip() if isinstance(value, str) else value)
    cadre.full_clean()
    cadre.save()
    return cadre


@transaction.atomic
def revisit_round_create(*, user, year: int, number: int, name: str = "", starts_on, ends_on):
    """A revisit round (回访轮次). Rounds may not overlap: a revisit is filed under the round of its date."""
    from assignments.models import RevisitRound

    _county_admin_only(user, _("新建回访轮次"))
    starts_on = _date_or_error(starts_on, "starts_on", _("开始日期"))
    ends_on = _date_or_error(ends_on, "ends_on", _("截止日期"))
    _revisit_round_checks(year=year, number=number, starts_on=starts_on, ends_on=ends_on)
    rnd = RevisitRound(
        year=year,
        number=number,
        name=(name or "").strip() or f"{year}年第{number}轮",
        starts_on=starts_on,
        ends_on=ends_on,
    )
    rnd.full_clean()
    rnd.save()
    return rnd


@transaction.atomic
def work_unit_delete(*, user, unit: WorkUnit) -> None:
    """A work unit with cadres is not deleted: its cadres' pairings and revisits are its history."""
    _county_admin_only(user, _("删除挂联单位"))
    unit = WorkUnit.objects.select_for_update().get(pk=unit.pk)
    cadres = Cadre.objects.filter(unit=unit).count()
    if cadres:
        raise ValidationError(
            _("挂联单位“{name}”还有 {cadres} 名干部，不能删除；请先把干部调到其他单位。").format(
                name=unit.name, cadres=cadres
            )
        )
    unit.delete()  # its village links (单位挂村) go with it


@transaction.atomic
def cadre_delete(*, user, cadre: Cadre) -> None:
    """Only a cadre with no pairing and no revisit on record is deleted (a mistaken entry); a cadre who
    leaves is set 不在岗 instead, so the history of who helped whom stays."""
    from assignments.models import Revisit

    _county_admin_only(user, _("删除干部"))
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    active = Pairing.objects.filter(cadre=cadre, ended_on__isnull=True).count()
    if active:
        raise ValidationError(
            _("{name} 仍在帮扶 {active} 户，不能删除；请先结束或调整这些结对。").format(
                name=cadre.name, active=active
            )
        )
    pairings = Pairing.objects.filter(cadre=cadre).count()
    revisits = Revisit.objects.filter(cadre=cadre).count()
    if pairings or revisits:
        raise ValidationError(
            _(
                "{name} 有 {pairings} 条结对记录、{revisits} 条走访记录，须保留历史，不能删除；离岗请改为不在岗。"
            ).format(name=cadre.name, pairings=pairings, revisits=revisits)
        )
    cadre.delete()


def _revisit_round_checks(*, year, number, starts_on, ends_on, exclude_pk=None) -> None:
    """Rounds may not overlap and (year, number) is unique: a revisit is filed under the round of its date."""
    from assignments.models import RevisitRound

    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("截止日期不能早于开始日期。")
    if not year or not (2013 <= int(year) <= 2100):
        errors["year"] = _("年度应在 2013 至 2100 之间。")
    if not number or int(number) < 1:
        errors["number"] = _("轮次应为正整数。")
    if errors:
        raise ValidationError(errors)
    others = RevisitRound.objects.exclude(pk=exclude_pk) if exclude_pk else RevisitRound.objects.all()
    if others.filter(year=year, number=number).exists():
        raise ValidationError({"number": _("{year}年第{number}轮已存在。").format(year=year, number=number)})
    overlap = others.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlap is not None:
        raise ValidationError(
            {
                "starts_on": _(
                    "与{name}（{starts_on} 至 {ends_on}）日期重叠：走访按日期归入轮次，轮次不能重叠。"
                ).format(name=overlap.name, starts_on=overlap.starts_on, ends_on=overlap.ends_on)
            }
        )


@transaction.atomic
def revisit_round_update(*, user, round, **fields):
    """Correct a round. Its revisits were filed under it by their dates: new dates must still hold them."""
    from assignments.models import Revisit, RevisitRound

    _county_admin_only(user, _("修改回访轮次"))
    rnd = RevisitRound.objects.select_for_update().get(pk=round.pk)
    unknown = set(fields) - {"year", "number", "name", "starts_on", "ends_on"}
    if unknown:
        raise ValidationError({f: _("该字段不能修改。") for f in sorted(unknown)})
    values = {
        name: fields.get(name, getattr(rnd, name)) for name in ("year", "number", "starts_on", "ends_on")
    }
    values["starts_on"] = _date_or_error(values["starts_on"], "starts_on", _("开始日期"))
    values["ends_on"] = _date_or_error(values["ends_on"], "ends_on", _("截止日期"))
    _revisit_round_checks(**values, exclude_pk=rnd.pk)
    outside = (
        Revisit.objects.filter(round=rnd)
        .exclude(visited_on__gte=values["starts_on"], visited_on__lte=values["ends_on"])
        .count()
    )
    if outside:
        raise ValidationError(
            {
                "starts_on": _(
                    "{name}已有 {outside} 条走访记录的日期不在新的起止日期之内，不能这样修改。"
                ).format(name=rnd.name, outside=outside)
            }
        )
    for name, value in values.items():
        setattr(rnd, name, value)
    if "name" in fields:
        rnd.name = (fields["name"] or "").strip() or f"{rnd.year}年第{rnd.number}轮"
    rnd.full_clean()
    rnd.save()
    return rnd


@transaction.atomic
def revisit_round_delete(*, user, round) -> None:
    """A round with revisits filed under it stays: they are the record of that round's visits."""
    from assignments.models import Revisit, RevisitRound

    _county_admin_only(user, _("删除回访轮次"))
    rnd = RevisitRound.objects.select_for_update().get(pk=round.pk)
    revisits = Revisit.objects.filter(round=rnd).count()
    if revisits:
        raise ValidationError(
            _("{name}已有 {revisits} 条走访记录，不能删除。").format(name=rnd.name, revisits=revisits)
        )
    rnd.delete()
