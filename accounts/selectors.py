"""Reads of user accounts for the county admin's accounts page."""

from django.db.models import Q, QuerySet

from accounts.models import User


def account_list(*, query: str = "", role: str = "") -> QuerySet[User]:
    accounts = User.objects.select_related("township", "village", "cadre").order_by("username")
    if query.strip():
        q = query.strip()
        accounts = accounts.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    if role:
        accounts = accounts.filter(role=role)
    return accounts
