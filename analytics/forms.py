from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.selectors import PeriodRejected, period_build

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The dashboard's date range: the same rules as the API (`analytics.selectors.period_build`)."""

    date_from = forms.DateField(label=_("С"), required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT)
    date_to = forms.DateField(label=_("По"), required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["period"] = period_build(date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to"))
        except PeriodRejected as error:
            self.add_error(error.extra.get("field", "date_to"), error.message)
        return cleaned
