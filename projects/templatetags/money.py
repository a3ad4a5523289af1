"""Money as the county reads it: 2.05亿元, 8,091.87万元, 8,600 元."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext

register = template.Library()

YI = Decimal("100000000")
WAN = Decimal("10000")


def _trimmed(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def yuan(value) -> str:
    """An amount in yuan in the largest unit that shows it exactly to two decimals."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    if abs(value) >= YI and (value / YI) == (value / YI).quantize(Decimal("0.01")):
        return gettext("{amount}亿元").format(amount=_trimmed(value / YI))
    if abs(value) >= WAN:
        return gettext("{amount}万元").format(amount=_trimmed(value / WAN))
    return gettext("{amount} 元").format(amount=_trimmed(value))


@register.filter
def percent_of(part, whole) -> str:
    try:
        return f"{Decimal(part) / Decimal(whole) * 100:.1f}%" if whole else "—"
    except (TypeError, ArithmeticError, ValueError):
        return "—"
