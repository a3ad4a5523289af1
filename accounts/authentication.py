"""Signing in: the session backend, and API tokens that expire TOKEN_TTL_HOURS after they were issued (a
password change deletes them)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

# What every page reads of the signed-in user besides the user: the navbar names their township, or their
# village with its township, and the access rule reads a village official's township.
USER_SCOPE = ("township", "village__township")


class ScopedModelBackend(ModelBackend):
    """Django's ModelBackend, whose signed-in user comes with their township and village in one query
    (a village official's page read them by two more)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(*USER_SCOPE).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def token_expired(token) -> bool:
    return token.created < timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's own, with the user read with their scope as the session backend reads it (USER_SCOPE);
        # its messages are DRF's, translated by DRF.
        model = self.get_model()
        try:
            token = model.objects.select_related(*(f"user__{name}" for name in USER_SCOPE)).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录获取新令牌。"))
        return user, token
