"""The JSON API under /api/v1 (documented in the OpenAPI document)."""
