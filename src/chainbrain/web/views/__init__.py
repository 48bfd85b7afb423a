"""One module per page type; each page has a JSON twin under /api."""
