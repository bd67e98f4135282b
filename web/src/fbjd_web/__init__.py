"""fbjd web: server-rendered pages (Jinja2 + htmx) for the city bureau, counties and enterprises."""
