"""The drop-down for a field that points at another record (a service's provider, a
share's commissioner, a member's organisation). Every such drop-down in the window is
one of these, so each that points at organisations ends with "New organisation…":
choosing it asks the window for a new organisation (``new_reference``, found up the
widget's parents) and, when one is made, chooses it; cancelled, the choice before
stays.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

NEW = "\x00new"  # the data of the "New …" entry: never a record's id
NEW_ENTRY_TEXT = {"organisations": "New organisation…"}

# What a new organisation made from a field's drop-down is marked as, by the field's
# name or by "kind.field" where the name alone says too little.
NEW_DEFAULTS: dict[str, dict[str, Any]] = {
    "provider_id": {"is_provider": True},
    "contracts.supplier_id": {"is_provider": True},
    "agreement_partners.organisation_id": {"is_partner": True},
    "contributions.organisation_id": {"is_partner": True},
    "service_commissioners.organisation_id": {"is_partner": True},
    "host_id": {"is_partner": True},
    "contracting_org_id": {"is_partner": True},
    "payer_id": {"is_partner": True},
    "commissioner": {"is_partner": True},
}


class ReferenceCombo(QComboBox):
    """Choices of records of ``kind`` (a blank first unless ``blank`` is False), and
    the "New …" entry where records of that kind can be made from here."""

    def __init__(self, kind: str, *, field: str = "", record_kind: str = "", blank: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.field = field
        self.record_kind = record_kind  # the kind of record the field belongs to
        self.blank = blank
        self._last = 0
        self.currentIndexChanged.connect(self._chosen)
        self.set_options([])

    @property
    def can_create(self) -> bool:
        return self.kind in NEW_ENTRY_TEXT

    def set_options(self, options: list[tuple[str, str]]) -> None:
        """Fill the list, keeping the current choice when it is still there."""
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        if self.blank:
            self.addItem("", None)
        for record_id, title in options:
            self.addItem(title, record_id)
        if self.can_create:
            self.insertSeparator(self.count())
            self.addItem(NEW_ENTRY_TEXT[self.kind], NEW)
        index = self.findData(current) if current not in (None, NEW) else -1
        self.setCurrentIndex(max(index, 0))
        self._last = self.currentIndex()
        self.blockSignals(False)

    def choose(self, record_id: str | None, title: str = "") -> None:
        """Choose a record, adding it to the list (before "New …") if it is not there."""
        index = self.findData(record_id)
        if index < 0:
            at = self.findData(NEW)
            at = self.count() if at < 0 else at - 1  # before the separator
            self.blockSignals(True)
            self.insertItem(at, title, record_id)
            self.blockSignals(False)
            index = at
        self.setCurrentIndex(index)

    def _chosen(self, index: int) -> None:
        if self.itemData(index) != NEW:
            self._last = index
            return
        self.blockSignals(True)  # the choice before stays unless a new record is made
        self.setCurrentIndex(self._last)
        self.blockSignals(False)
        made = self._ask_window()
        if made is not None:
            self.choose(*made)

    def _ask_window(self) -> tuple[str, str] | None:
        widget: Any = self.parentWidget()
        while widget is not None and not hasattr(widget, "new_reference"):
            widget = widget.parentWidget()
        if widget is None:
            return None
        defaults = NEW_DEFAULTS.get(f"{self.record_kind}.{self.field}", NEW_DEFAULTS.get(self.field, {}))
        return widget.new_reference(self.kind, dict(defaults), self)
