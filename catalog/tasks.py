"""Background tasks of the catalog (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from catalog.renditions import media_renditions_make


@task()
def media_renditions_build(*, media_id: int, image_name: str) -> None:
    """Make the sized renditions of a product photo right after it is uploaded."""
    media_renditions_make(media_id=media_id, image_name=image_name)
