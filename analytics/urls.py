"""Admin pages of the analytics app, mounted under /admin/analytics/ (before the admin site's own URLs)."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="export"),
    path("drops/<int:product_id>/", views.control_room, name="control_room"),
    path("drops/<int:product_id>/data.json", views.control_room_data, name="control_room_data"),
]
