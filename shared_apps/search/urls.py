"""Placeholder while the app is built."""

urlpatterns: list = []
