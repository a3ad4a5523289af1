"""/accounts/: login and logout (URL names ``login`` and ``logout``, as Django's auth expects)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
]
