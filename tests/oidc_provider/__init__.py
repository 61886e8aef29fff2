"""A throw-away OpenID provider for the single sign-on tests (issue 16.1).

django-oauth-toolkit with OIDC on, run as its own process on loopback with its own SQLite file
and a freshly generated RSA key (tests/browser/test_sso_browser.py starts it once per session).
Its people and their claims come from a JSON file the test writes: see serve.py.
"""
