"""What makes a file a cypdesk document, without importing SQLAlchemy: reading a
file's header must be cheap (the window's first paint and ``cypdesk check`` do it)."""

# ``PRAGMA application_id``: "CYPD" in ASCII. Any SQLite file without it is not ours.
APPLICATION_ID = 0x43595044
