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


# -- users/ (county admin only, DESIGN §7) ----------------------------------------------------------------

from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from drf_spectacular.utils import extend_schema_field  # noqa: E402
from rest_framework import mixins, serializers, viewsets  # noqa: E402
from rest_framework.exceptions import PermissionDenied  # noqa: E402
from rest_framework.exceptions import ValidationError as ApiValidationError  # noqa: E402

from accounts import selectors, services  # noqa: E402
from accounts.models import User  # noqa: E402
from core.access import Access, Role  # noqa: E402
from core.api import FilterSet  # noqa: E402


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True,
     "description": "写入时可填名称或 ID；读出为 ID"}
)  # fmt: skip
class ScopeField(serializers.CharField):
    """A scope (township, village, cadre) given by name or id, answered as its id."""


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    township = ScopeField(required=False, allow_null=True, allow_blank=True)
    village = ScopeField(required=False, allow_null=True, allow_blank=True)
    cadre = ScopeField(required=False, allow_null=True, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    locked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id", "username", "first_name", "last_name", "role", "township", "village", "cadre",
            "is_active", "must_change_password", "last_login", "password", "locked",
        ]  # fmt: skip
        read_only_fields = ["must_change_password", "last_login"]

    def get_locked(self, user) -> bool:
        return services.account_is_locked(user)

    def to_representation(self, user):
        data = super().to_representation(user)
        data.update(township=user.township_id, village=user.village_id, cadre=user.cadre_id)
        return data


class UserFilter(FilterSet):
    """?id= (the base FilterSet); ?q= and ?role= are read by the selector."""

    class Meta:
        model = User
        fields = ["id"]


def _field_errors(exc: DjangoValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """User accounts (county admin only). A create makes the user change the password at first sign-in;
    a change of role or scope, or a deactivation, ends the user's sessions and tokens."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        if not Access.for_user(self.request.user).uses_admin_site:
            raise PermissionDenied(gettext("只有县扶贫办管理员可以管理用户账户。"))
        params = self.request.query_params
        return selectors.account_list(query=params.get("q", ""), role=params.get("role", ""))

    def perform_create(self, serializer):
        self.get_queryset()
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.account_create(
                username=data.get("username", ""),
                password=data.get("password", ""),
                role=data.get("role", ""),
                township=data.get("township") or None,
                village=data.get("village") or None,
                cadre=data.get("cadre") or None,
                by=self.request.user,
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        for name in ("township", "village", "cadre"):
            if name in data:
                data[name] = data[name] or None
        try:
            account = services.account_update(account=serializer.instance, by=self.request.user, **data)
            if password:
                account = services.account_password_reset(
                    account=account, by=self.request.user, password=password
                )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        serializer.instance = account
