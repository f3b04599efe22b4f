from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel


class Page(TimeStampedModel):
    """A CMS page (about, delivery, public offer), written in Markdown by staff."""

    slug = models.SlugField(_("адрес"), max_length=100, unique=True)
    title = models.CharField(_("заголовок"), max_length=255)
    content = models.TextField(_("содержание (Markdown)"), blank=True)
    is_published = models.BooleanField(_("опубликована"), default=True)
    show_in_footer = models.BooleanField(_("в подвале сайта"), default=True)

    class Meta:
        verbose_name = _("страница")
        verbose_name_plural = _("страницы")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("shop:page", kwargs={"slug": self.slug})
