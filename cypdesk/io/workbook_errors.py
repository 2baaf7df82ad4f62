"""Why a spreadsheet or CSV was refused before or while it was read: each a
:class:`~cypdesk.common.errors.CypdeskError` with a code and the command line's exit
code. :mod:`cypdesk.io.workbook` raises them (and gives them under its own name)."""

from __future__ import annotations

from cypdesk.common.errors import CypdeskError


class WorkbookError(CypdeskError):
    code = "workbook"
    exit_code = 1


class NotAWorkbook(WorkbookError):
    code = "not_a_workbook"
    exit_code = 2


class PasswordProtected(WorkbookError):
    code = "password_protected"


class ZipBomb(WorkbookError):
    code = "zip_bomb"


class XmlEntities(WorkbookError):
    code = "xml_entities"


class AbsurdDimension(WorkbookError):
    code = "absurd_dimension"


class DamagedWorkbook(WorkbookError):
    code = "damaged_workbook"


class EmptyWorkbook(WorkbookError):
    code = "empty_workbook"


class WorkbookMissing(WorkbookError):
    code = "missing"
    exit_code = 2


class UnsafeXmlReader(WorkbookError):
    """openpyxl would parse XML without defusedxml (anchor 41): refused."""

    code = "unsafe_xml_reader"
