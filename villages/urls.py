from villages import views

app_name = "villages"
urlpatterns = views.urlpatterns
