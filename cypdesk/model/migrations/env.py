"""Alembic environment for the document schema.

Runs only inside the harness in :mod:`cypdesk.model.migrate`, which passes an open
SQLAlchemy connection (foreign keys off, one transaction already begun) in
``config.attributes["connection"]``. Nothing here imports the models: revisions are
frozen code, and autogenerate (developers only, ``python -m cypdesk.model.migrate
revision``) passes the metadata in ``config.attributes["target_metadata"]``.
"""

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "cypdesk migrations run only through cypdesk.model.migrate (backup first, foreign keys off, "
        "one transaction, row counts checked); there is no alembic.ini on purpose."
    )

context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables
    transaction_per_migration=False,  # every revision in the harness's one transaction
    transactional_ddl=True,  # SQLite DDL is transactional; alembic's SQLite default says not
    compare_type=True,
)

with context.begin_transaction():  # a no-op: the harness's transaction is already open
    context.run_migrations()
