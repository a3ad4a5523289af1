"""Pages of the assignments app: officials' pages and the cadre's phone pages (assignments/phone/)."""

from django.urls import path

from assignments import views
from assignments.phone import views as phone_views

app_name = "assignments"
urlpatterns = [
    path("", views.pairings, name="pairings"),
    path("villages/<int:pk>/", views.pairing_village, name="pairing-village"),
    path("villages/<int:pk>/notice/", views.notice_board, name="notice-board"),
    path("villages/<int:pk>/cards/", views.contact_cards, name="contact-cards"),
    path("households/<int:pk>/card/", views.household_card, name="household-card"),
    path("without-cadre/", views.without_cadre, name="without-cadre"),
    path("units/", views.work_units, name="work-units"),
    path("cadres/", views.cadres, name="cadres"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre-detail"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("revisits/", views.revisit_list, name="revisit-list"),
]
urlpatterns += [
    path("m/", phone_views.my_households, name="my-households"),
    path("m/households/<int:pk>/", phone_views.household, name="phone-household"),
    path("m/revisit/", phone_views.revisit_form, name="phone-revisit-form"),
    path("m/revisits/", phone_views.my_revisits, name="phone-revisits"),
    path("m/revisits/<int:pk>/", phone_views.revisit_detail, name="phone-revisit"),
    path("m/revisits/<int:pk>/edit/", phone_views.revisit_edit, name="phone-revisit-edit"),
    path("m/outbox/", phone_views.outbox, name="phone-outbox"),
    path("m/conflict/", phone_views.conflict, name="phone-conflict"),
    path("m/offline/", phone_views.offline, name="phone-offline"),
    path("m/photos/<int:pk>/", phone_views.revisit_photo, name="revisit-photo"),
]

# Routes that must sit at the site root (the service worker controls the pages below its own path).
root_urlpatterns = [path("sw.js", phone_views.service_worker, name="service-worker")]
