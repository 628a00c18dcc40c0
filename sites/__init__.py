"""Site blueprints and the app catalogue: what a new organisation's Wagtail subsite starts with.

Declarations only (no models, no page types): provisioning reads which blueprint and which apps; the
page types' own seeding (``site_seed`` hook point) builds the tree from them. The bottom layer of
``.importlinter``: it imports no other part of the project.
"""
