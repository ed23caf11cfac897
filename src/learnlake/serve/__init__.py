"""The web server: dashboards, JSON API, LRS and status pages."""
