"""Django's Russian formats, with the month of a day in the genitive («4 декабря», as in the admin's date
drill-down); Django's own says «4 Декабрь»."""

from django.conf.locale.ru.formats import *  # noqa: F403

MONTH_DAY_FORMAT = "j E"
