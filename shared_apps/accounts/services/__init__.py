"""Writes to accounts, one module per subject (import from the module; nothing is re-exported here):

* ``accounts`` — creating an account (``account_create`` for platform tooling, ``account_sign_up`` for a
  person) and changing the profile (``account_update_profile``);
* ``addresses`` — the account's e-mail addresses: adding, verifying, removing, making one primary
  (and ``normalise_email``);
* ``passwords`` — a new password's checks and the password reset link;
* ``sign_in`` — the password and code checks with the lockout and the per-IP throttle
  (``account_password_check``, ``account_authenticate``, ``account_second_factor_check``) and signing
  out everywhere (``account_end_all_sessions``);
* ``two_factor`` — setting up, confirming and turning off the TOTP authenticator;
* ``invitations`` — inviting an address to an organisation, and signing up through the invitation link;
* ``_links`` — what the e-mailed links share (the page they open, how long they work, a broken one's message).

Side effects (tasks in other schemas, e-mails) run after commit.
"""
