"""A local S3 server (moto in server mode) over real HTTP on a free loopback port, and the shop pointed at it."""

import json
import uuid

import boto3
import pytest

S3_ACCESS_KEY = "test-access-key"
S3_SECRET_KEY = "test-secret-key"


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server started for this test session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_server):
    """Media storage on a fresh bucket of the local S3 server, configured as `MEDIA_S3_*` would: the
    environment a second shop process needs to see the same files is in `env`."""
    bucket = f"dwc-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    # As in production: anyone may read the photos (browsers, a CDN), only the shop may write.
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read_policy(bucket)))
    env = {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_ACCESS_KEY": S3_ACCESS_KEY,
        "MEDIA_S3_SECRET_KEY": S3_SECRET_KEY,
        "MEDIA_S3_REGION": "us-east-1",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "access_key": S3_ACCESS_KEY,
                "secret_key": S3_SECRET_KEY,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
                "addressing_style": "path",
            },
        },
    }
    return {"bucket": bucket, "endpoint": s3_server, "env": env}
