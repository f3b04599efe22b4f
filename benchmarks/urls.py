from django.urls import path

from benchmarks.floor import floor
from config.urls import urlpatterns as shop_urlpatterns

urlpatterns = [path("bench/floor/<int:size>/", floor), *shop_urlpatterns]
