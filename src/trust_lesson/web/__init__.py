"""The web pages: templates, static files, browser sessions in a cookie and CSRF protection.

Pages live in each domain's `pages.py` and call the same services as the API; this package
holds only what every page shares.
"""
