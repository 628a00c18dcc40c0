"""Settings profiles: ``base`` (shared), ``dev``, ``test`` and ``production``.

Pick one with ``DJANGO_SETTINGS_MODULE=govsquare.settings.<profile>``. Every value that differs
between deployments is read from the environment in ``base`` (12-factor); the profiles only
change defaults and add safety checks.
"""
