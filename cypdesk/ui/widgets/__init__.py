"""Reusable widgets: the record form, the filter bar."""
