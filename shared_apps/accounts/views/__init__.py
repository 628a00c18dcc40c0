"""The account pages under ``/accounts/`` on the shared space, a module per subject: ``sign_in`` (with the
second step, and sign-out), ``sign_up`` (verification, invitation sign-up), ``passwords`` (reset),
``addresses``, ``two_factor``, ``profile``, ``personal_data`` (export, deletion); shared helpers in ``common``.

Thin: reads through ``selectors``, writes through ``services``; a refusal re-shows the page with the
reason next to the form and the input kept (passwords excepted). Every change is a POST with CSRF.

Sign-in is two steps when a second factor is due: after the right password, the session holds a
*pending* sign-in (the account, when, where to go next) for ``PENDING_SECONDS``; the person is signed in
(``django.contrib.auth.login``) only after the code — or, for an operator or administrator without an
authenticator yet, after setting one up. Nothing else is reachable before that.
"""
