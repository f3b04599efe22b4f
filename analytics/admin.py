"""The admin's own words: the shop's name on every page of the back office."""

from django.contrib import admin

admin.site.site_header = "DWC Shop — управление магазином"
admin.site.site_title = "DWC Shop"
admin.site.index_title = "Магазин"
# Lists get the whole width of a laptop screen; the index page and the breadcrumbs lead everywhere.
admin.site.enable_nav_sidebar = False
