from django.contrib.messages import get_messages


def texts(response) -> list[str]:
    """The admin messages a response left for the staff member."""
    return [str(message) for message in get_messages(response.wsgi_request)]
