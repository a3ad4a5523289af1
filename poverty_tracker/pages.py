"""Page URLs: login, home, and each app's pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from assignments.phone import views as phone_views
from poverty_tracker import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=views.LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

urlpatterns += [
    path("", include(phone_views.root_urlpatterns)),
    path("assignments/", include("assignments.urls")),
    path("households/", include("households.urls")),
    path("rosters/", include("core.rosters.urls")),
    path("villages/", include("villages.urls")),
]
