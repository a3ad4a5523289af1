"""An account an admin created or reset must choose its own password before anything else."""

from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("password-change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/")):
                return redirect(f"{reverse('password-change')}?next={request.get_full_path()}")
        return self.get_response(request)
