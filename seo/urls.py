from django.urls import path

from seo import views

app_name = "seo"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap"),
    path("feeds/yandex-market.yml", views.yandex_market_yml, name="yandex_market"),
]
