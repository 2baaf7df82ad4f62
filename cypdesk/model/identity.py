"""What makes a file a cypdesk document, without importing SQLAlchemy: reading a
file's header must be cheap (the window's first paint and ``cypdesk check`` do it)."""

# ``PRAGMA application_id``: "CYPD" in ASCII. Any SQLite file without it is not ours.
APPLICATION_ID = 0x43595044

# The first bytes of a shared copy (``.cypshare``, cypdesk.io.sharefile): never SQLite's,
# so a share is never taken for a working document (dbfile.inspect_file names it).
SHARE_MAGIC = b"\x89CYPSHARE\r\n\x1a\n"
SHARE_EXTENSION = ".cypshare"
