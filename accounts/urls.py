"""/accounts/: login and logout (URL names ``login`` and ``logout``, as Django's auth expects), the password
change, and the county admin's accounts page."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password-change"),
    path("users/", views.account_list, name="account-list"),
    path("users/new/", views.account_create, name="account-create"),
    path("users/<int:pk>/", views.account_detail, name="account-detail"),
    path("users/<int:pk>/reset-password/", views.account_reset_password, name="account-reset-password"),
    path("users/<int:pk>/unlock/", views.account_unlock, name="account-unlock"),
]
