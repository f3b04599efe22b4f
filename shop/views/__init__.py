"""Storefront pages, one module an area (catalog, cart, checkout, orders, account, auth, pages); `shop.urls`
names the modules. Views read through selectors, write through services, and only translate refusals into
messages next to the fields; no shop rule is decided here.

A form with errors comes back with status 200, as browsers expect of a page a person reads (a 4xx document is
logged by the browser as a failed resource).
"""
