"""The admin's own words: the shop's name on every page of the back office."""

from django.contrib import admin

admin.site.site_header = "DWC Shop — управление магазином"
admin.site.site_title = "DWC Shop"
admin.site.index_title = "Магазин"
