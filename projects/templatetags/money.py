"""Money as the county reads it: 2.05亿元, 8,091.87万元, 8,600 元."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

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
        return f"{_trimmed(value / YI)}亿元"
    if abs(value) >= WAN:
        return f"{_trimmed(value / WAN)}万元"
    return f"{_trimmed(value)} 元"


@register.filter
def percent_of(part, whole) -> str:
    try:
        return f"{Decimal(part) / Decimal(whole) * 100:.1f}%" if whole else "—"
    except (TypeError, ArithmeticError, ValueError):
        return "—"
