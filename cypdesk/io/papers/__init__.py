"""Board papers out of the application: PDF (:mod:`.pdf`, reportlab) and Word
(:mod:`.docx`, python-docx), from the structured content of
:mod:`cypdesk.common.paperdoc`. Every string reaches reportlab through
:func:`.text.para` (escaped)."""
