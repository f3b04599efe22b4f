import hashlib
import io
import json
import os
import subprocess
import sys
import urllib.request
from functools import cache

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from catalog.images import ImageRejected
from catalog.models import ProductMedia
from catalog.renditions import media_renditions_make
from catalog.services import product_media_add
from catalog.tests import photos
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@cache
def bomb() -> bytes:
    return photos.decompression_bomb()


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


def add_photo(product, data: bytes, name: str = "IMG_0001.JPG") -> ProductMedia:
    return product_media_add(product=product, upload=ContentFile(data, name=name), alt="Фото")


# --- Clean uploads ------------------------------------------------------------------------------------------
def test_stored_photo_has_no_gps_nor_any_exif_and_is_upright():
    media = add_photo(ProductFactory(), photos.camera_jpeg(width=1200, height=900, orientation=6))

    data = stored(media.image.name)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"studio" not in data
    # Orientation 6 means "turn 90° clockwise to view": the stored picture is already turned.
    assert image.size == (900, 1200) == (media.width, media.height)
    assert image.getpixel((450, 50))[0] < 60 and image.getpixel((450, 1150))[0] > 150


@pytest.mark.parametrize(
    ("data", "extension", "fmt"),
    [(photos.png_bytes(), "png", "PNG"), (photos.webp_bytes(), "webp", "WEBP")],
)
def test_png_and_webp_are_accepted_in_their_own_format(data, extension, fmt):
    media = add_photo(ProductFactory(), data, name="picture.jpg")

    assert media.image.name.endswith(f".{extension}")
    assert Image.open(io.BytesIO(stored(media.image.name))).format == fmt


@pytest.mark.parametrize(
    ("data", "name", "code", "words"),
    [
        (photos.TEXT, "photo.jpg", "image_invalid", "JPEG, PNG или WebP"),
        (photos.SVG, "logo.svg", "image_invalid", "JPEG, PNG или WebP"),
        (photos.oversized_file(), "big.jpg", "image_too_large", "слишком большой"),
        (None, "bomb.png", "image_too_many_pixels", "слишком большое по размеру в пикселях"),
    ],
    ids=["text", "svg", "10mb", "bomb"],
)
def test_refused_uploads_say_why_in_russian_and_store_nothing(data, name, code, words):
    product = ProductFactory()
    with pytest.raises(ImageRejected) as refused:
        add_photo(product, data if data is not None else bomb(), name=name)

    assert refused.value.code == code and words in refused.value.message
    assert not ProductMedia.objects.exists()
    assert not (settings.MEDIA_ROOT / "products").exists()


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (photos.TEXT, "photo.jpg", "JPEG, PNG или WebP"),
        (photos.SVG, "logo.svg", "JPEG, PNG или WebP"),
        (photos.oversized_file(), "big.jpg", "Файл слишком большой"),
        (None, "bomb.png", "слишком большое по размеру в пикселях"),
    ],
    ids=["text", "svg", "10mb", "bomb"],
)
def test_admin_refuses_bad_uploads_with_a_clear_message(staff, data, name, words):
    product = ProductFactory()
    upload = SimpleUploadedFile(name, data if data is not None else bomb(), content_type="image/jpeg")

    response = staff.post(
        reverse("admin:catalog_productmedia_add"),
        {"product": product.pk, "image": upload, "alt": "", "position": 0},
    )

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not ProductMedia.objects.exists()


def test_admin_upload_is_cleaned_shown_at_once_and_renditions_follow(staff, django_capture_on_commit_callbacks):
    product = ProductFactory()
    upload = SimpleUploadedFile("IMG_0002.JPG", photos.camera_jpeg(width=1000, height=1250), "image/jpeg")

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(
            reverse("admin:catalog_productmedia_add"),
            {"product": product.pk, "image": upload, "alt": "Спереди", "position": 0},
        )
    assert response.status_code == 302
    media = ProductMedia.objects.get()
    assert b"Exif" not in stored(media.image.name)
    page = staff.get(reverse("admin:catalog_productmedia_change", args=[media.pk])).content.decode()
    assert media.image.url in page and "готовятся" in page

    for callback in callbacks:  # the worker's turn (the immediate backend in tests)
        callback()
    media.refresh_from_db()
    assert {r["width"] for r in media.renditions} == {400, 800}
    page = staff.get(reverse("admin:catalog_productmedia_change", args=[media.pk])).content.decode()
    assert "готовы: 400 px, 800 px" in page and "-400w.jpg" in page


# --- Renditions -----------------------------------------------------------------------------------------------
def test_renditions_are_webp_and_jpeg_at_each_width_no_wider_than_the_original(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        media = add_photo(ProductFactory(), photos.camera_jpeg(width=2000, height=2500))

    media.refresh_from_db()
    made = {(r["format"], r["width"], r["height"]) for r in media.renditions}
    assert made == {(fmt, w, w * 5 // 4) for fmt in ("webp", "jpeg") for w in (400, 800, 1600)}
    for rendition in media.renditions:
        image = Image.open(io.BytesIO(stored(rendition["name"])))
        assert image.format == rendition["format"].upper()
        assert image.size == (rendition["width"], rendition["height"])
        assert not image.getexif()


def test_a_small_photo_gets_one_rendition_at_its_own_width(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        media = add_photo(ProductFactory(), photos.png_bytes(width=300, height=200))

    media.refresh_from_db()
    assert sorted((r["format"], r["width"]) for r in media.renditions) == [("jpeg", 300), ("webp", 300)]


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection, as in production
def test_the_db_worker_makes_the_renditions(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    media = add_photo(ProductFactory(), photos.camera_jpeg(width=900, height=1200))
    media.refresh_from_db()
    assert media.renditions == []  # queued, not made in the request

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    media.refresh_from_db()
    assert sorted({r["width"] for r in media.renditions}) == [400, 800]
    assert all(default_storage.exists(r["name"]) for r in media.renditions)


def test_renditions_of_a_replaced_image_are_not_recorded_and_are_cleaned_up():
    media = add_photo(ProductFactory(), photos.camera_jpeg(width=900, height=1200))
    old_name = media.image.name
    media.image.save("new.jpg", ContentFile(photos.camera_jpeg(width=500, height=600, gps=False)))

    assert media_renditions_make(media_id=media.pk, image_name=old_name) == []
    media.refresh_from_db()
    assert media.renditions == []
    assert not (settings.MEDIA_ROOT / "products" / "renditions").exists() or not any(
        (settings.MEDIA_ROOT / "products" / "renditions").rglob("*.*")
    )


def test_remade_renditions_replace_the_old_files():
    media = add_photo(ProductFactory(), photos.camera_jpeg(width=900, height=1200))
    first = media_renditions_make(media_id=media.pk, image_name=media.image.name)
    second = media_renditions_make(media_id=media.pk, image_name=media.image.name)

    assert all(default_storage.exists(r["name"]) for r in second)
    assert not any(default_storage.exists(r["name"]) for r in first)


# --- Pages and API ----------------------------------------------------------------------------------------------
@pytest.fixture
def shown_product(django_capture_on_commit_callbacks):
    product = ProductFactory(name="Худи", stock={"S": 3})
    with django_capture_on_commit_callbacks(execute=True):
        add_photo(product, photos.camera_jpeg(width=2000, height=2500))
        add_photo(product, photos.camera_jpeg(width=2000, height=2500, gps=False), name="back.jpg")
    return product


def test_catalog_and_product_pages_use_srcset_of_the_renditions(client, shown_product):
    media = list(shown_product.media.all())
    webp = ", ".join(f"{r['url']} {r['width']}w" for r in media[0].rendition_urls("webp"))

    catalog = client.get(reverse("shop:catalog")).content.decode()
    assert f'<source type="image/webp" srcset="{webp}"' in catalog
    assert 'sizes="(min-width: 1180px) 280px' in catalog
    assert media[0].image.url not in catalog

    product = client.get(shown_product.get_absolute_url()).content.decode()
    assert f'srcset="{webp}"' in product
    assert 'id="gallery-main"' in product and 'fetchpriority="high"' in product
    assert "-1600w.jpg" in product  # the main picture's fallback for browsers without srcset
    # Thumbnails below the main picture load lazily, at the smallest width.
    assert product.count('loading="lazy"') >= 2 and 'sizes="72px"' in product


def test_catalog_loads_the_first_row_at_once_and_the_rest_lazily(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            add_photo(ProductFactory(stock={"S": 1}), photos.camera_jpeg(width=500, height=625, gps=False))

    html = client.get(reverse("shop:catalog")).content.decode()
    assert html.count('fetchpriority="high"') == 4 and html.count('loading="lazy"') == 2


def test_a_photo_without_renditions_yet_is_shown_as_uploaded(client):
    product = ProductFactory(stock={"S": 1})
    media = add_photo(product, photos.camera_jpeg(width=500, height=625))  # the worker has not run

    html = client.get(product.get_absolute_url()).content.decode()
    assert f'src="{media.image.url}"' in html and "srcset" not in html


def test_api_gives_each_media_its_rendition_urls_and_widths(api_client, shown_product):
    response = api_client.get(f"/api/v1/products/{shown_product.pk}/")

    media = response.json()["media"][0]
    assert (media["width"], media["height"]) == (2000, 2500)
    assert {(r["format"], r["width"]) for r in media["renditions"]} == {
        (fmt, w) for fmt in ("webp", "jpeg") for w in (400, 800, 1600)
    }
    first = media["renditions"][0]
    assert first["url"].startswith("http://testserver/media/products/renditions/")
    assert default_storage.exists(first["url"].removeprefix("http://testserver/media/"))


# --- S3-compatible storage ---------------------------------------------------------------------------------------
def test_photos_go_to_s3_and_a_second_shop_process_reads_them(s3_media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        media = add_photo(ProductFactory(), photos.camera_jpeg(width=1000, height=1250))
    media.refresh_from_db()
    names = [media.image.name, *(r["name"] for r in media.renditions)]
    assert len(names) == 5
    assert not (settings.MEDIA_ROOT / "products").exists()  # nothing on this machine's disk

    # Another machine: a fresh process configured by the environment alone, as gunicorn instances are.
    script = (
        "import django, hashlib, json, sys; django.setup();"
        "from django.core.files.storage import default_storage as s;"
        "print(json.dumps({n: hashlib.sha256(s.open(n).read()).hexdigest() for n in sys.argv[1:]}))"
    )
    env = {**os.environ, **s3_media["env"], "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", script, *names], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(result.stdout)
    assert seen == {name: hashlib.sha256(stored(name)).hexdigest() for name in names}
    assert b"Exif" not in stored(media.image.name)

    # Browsers fetch the files straight from the bucket (or its CDN), with a long cache life.
    url = media.rendition_urls("webp")[0]["url"]
    assert url.startswith(f"{s3_media['endpoint']}/{s3_media['bucket']}/products/renditions/")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == stored(media.rendition_urls("webp")[0]["url"].split("/", 4)[4])
        assert "immutable" in response.headers["Cache-Control"]


def test_s3_settings_come_from_the_environment():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.STORAGES['default'], s.SERVE_MEDIA]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "MEDIA_S3_BUCKET": "dwc-media",
        "MEDIA_S3_ENDPOINT_URL": "http://minio:9000",
        "MEDIA_S3_ACCESS_KEY": "key",
        "MEDIA_S3_SECRET_KEY": "secret",
        "MEDIA_S3_CUSTOM_DOMAIN": "cdn.example.ru",
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    storage, serve_media = json.loads(result.stdout)

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "dwc-media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert storage["OPTIONS"]["custom_domain"] == "cdn.example.ru"
    assert serve_media is False


# --- Wide pixels and memory ------------------------------------------------------------------------------------
def grey16_png(value: int, side: int = 32) -> bytes:
    image = Image.new("I;16", (side, side))
    image.putdata([value] * side * side)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_16_bit_greyscale_png_is_scaled_to_8_bits_not_clipped_to_white():
    media = add_photo(ProductFactory(), grey16_png(40_000), name="scan.png")
    image = Image.open(io.BytesIO(stored(media.image.name)))
    assert image.mode == "L" and image.getpixel((0, 0)) == 155  # 40 000 / 257, where clipping gave 255
    renditions = media_renditions_make(media_id=media.pk, image_name=media.image.name)
    jpeg = next(r for r in renditions if r["format"] == "jpeg")
    assert Image.open(io.BytesIO(stored(jpeg["name"]))).convert("L").getpixel((0, 0)) in range(150, 161)


def test_a_49_megapixel_png_of_a_few_hundred_kb_is_refused_before_it_is_decoded():
    """It took a worker to 540 MB; the limit (25 Mpx by default) is checked on the header alone."""
    data = photos.decompression_bomb(side=7_000)
    assert len(data) < 300_000 and settings.MEDIA_MAX_PIXELS < 49_000_000
    with pytest.raises(ImageRejected) as refused:
        add_photo(ProductFactory(), data, name="huge.png")
    assert refused.value.code == "image_too_many_pixels" and refused.value.status == 400
    assert Image.MAX_IMAGE_PIXELS == settings.MEDIA_MAX_PIXELS  # every Image.open in the process is bounded
