"""The organisation registry (public schema): organisations, their domains, and their schemas."""
