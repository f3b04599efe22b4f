import markdown
import nh3
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel

# What staff Markdown may become on the site: text structure, links, pictures and tables; never scripts,
# styles, frames or event handlers. nh3 (ammonia) drops everything else and adds rel="noopener noreferrer".
PAGE_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
PAGE_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
PAGE_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def markdown_to_safe_html(text: str) -> SafeString:
    """Markdown written by staff as HTML a page may show as is: rendered, then sanitised by nh3."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    return mark_safe(  # noqa: S308 - the HTML has just been sanitised by nh3
        nh3.clean(
            html,
            tags=PAGE_ALLOWED_TAGS,
            attributes=PAGE_ALLOWED_ATTRIBUTES,
            url_schemes=PAGE_URL_SCHEMES,
            link_rel="noopener noreferrer",
        )
    )


class Page(TimeStampedModel):
    """A CMS page (about, delivery, public offer), written in Markdown by staff."""

    slug = models.SlugField(_("адрес"), max_length=100, unique=True)
    title = models.CharField(_("заголовок"), max_length=255)
    content = models.TextField(_("содержание (Markdown)"), blank=True)
    is_published = models.BooleanField(_("опубликована"), default=True)
    show_in_footer = models.BooleanField(_("в подвале сайта"), default=True)
    # The edition of the text: a consent names the edition of the policy it accepted (152-FZ).
    revision = models.PositiveIntegerField(
        _("редакция"), default=1, editable=False, help_text=_("Растёт при каждом изменении заголовка или текста.")
    )

    class Meta:
        verbose_name = _("страница")
        verbose_name_plural = _("страницы")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("shop:page", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if self.pk is not None:
            before = Page.objects.filter(pk=self.pk).values("title", "content", "revision").first()
            if before is not None and (before["title"], before["content"]) != (self.title, self.content):
                self.revision = (before["revision"] or 0) + 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        super().save(*args, **kwargs)

    @property
    def content_html(self) -> SafeString:
        """The Markdown content as sanitised HTML, safe to put in a template without escaping."""
        return markdown_to_safe_html(self.content)
