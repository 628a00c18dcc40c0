"""Site blueprints: what a new organisation's Wagtail subsite starts with, and the code that seeds it.

A plain package (no models): it writes into the ``tenant_apps`` models of the schema it is given.
"""
