from shop.cart import cart_join_account


def cart_join_on_login(sender, request, user, **kwargs):
    """Whatever a visitor put in the cart before signing in stays there after it."""
    session = getattr(request, "session", None)
    if session is not None:
        cart_join_account(session=session, user=user)
