"""Dialogs: choosing linked records, shares, and editing a child record."""
