"""Builders of synthetic tracking-log events, one module per event family."""
