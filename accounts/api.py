"""/api/v1/auth/token/: a token for a username and password, refused while django-axes has the account or
address locked out; an expired token is replaced by a new one."""

from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts.authentication import token_expired


class TokenView(ObtainAuthToken):
    throttle_scope = None

    def post(self, request, *args, **kwargs):
        from accounts.views import locked_message

        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response({"detail": locked_message()}, status=429)
        if not valid:
            return Response(serializer.errors, status=400)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


obtain_auth_token = TokenView.as_view()
