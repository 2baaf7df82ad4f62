"""The service and outcome map (framework step 5) as the Services tab shows it beside
the register: outcomes and sub-outcomes down the side, services across, each cell the
service's contribution and the money it puts there; gaps and overlaps in words; the
money by tier, the prevention share, unmapped services and contracts ending.

Everything shown is computed by :func:`cypdesk.services.service_map.outcome_map`; this
module only lays it out. The matrix is one :class:`QAbstractTableModel` whose cells are
read on demand from the map's dictionaries (no object per cell), shown by two views
that share it, each through a proxy of its own columns: a frozen part with the
outcome's figures (:class:`FiguresOnly`), and the service columns
(:class:`ServicesOnly`), scrolled together. Neither hides columns, which a screen
reader would read all the same. A register can hold 10,000 services: the matrix draws at most
:data:`MAX_SERVICE_COLUMNS` service columns and says so when more match.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QSplitter, QTableView, QTabWidget,
    QVBoxLayout, QWidget,
)

from cypdesk.common.formats import date_uk, money, percent
from cypdesk.services.service_map import ContractEnding, Gap, OutcomeMap, OverlapSet, ServiceRow, TierSpend, outcome_map
# The matrix model, the header, the detail tables and the columns, roles and shades they
# share are in service_map_models; the names others import stay importable from here.
from cypdesk.ui.tabs.service_map_models import (  # noqa: F401 (COL_GAP, COL_OUTCOME, the roles: imported by tests)
    APPORTIONMENT_RULE, COL_GAP, COL_MONEY, COL_OUTCOME, CONTRIBUTION_ROLE, ENDING_SHADES, FIXED_WIDTHS, IS_GAP_ROLE,
    KEY_ROLE, N_FIXED, OUTCOME_ID_ROLE, SERVICE_ID_ROLE, FiguresOnly, ListTableModel, OutcomeMatrixModel, ServicesOnly,
    WrapHeader,
    _months_text, _names, _plural, _Row,
)

# The matrix draws at most this many service columns (the rule is stated in a label).
MAX_SERVICE_COLUMNS = 300


# --- the view -------------------------------------------------------------------------

class ServiceMapView(QWidget):
    """The service and outcome map of one document. The Services tab shows it as a
    second view beside the register; call :meth:`refresh` after edits."""

    service_activated = Signal(str)  # a service id: the officer double-clicked its column or a cell

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("service_map")
        self.setAccessibleName("Service and outcome map")
        self.conn: sqlite3.Connection | None = None
        self.today: date = date.today()
        self.map: OutcomeMap | None = None
        self.service_filter: set[str] | None = None  # from the register: None = all services
        self._syncing = False
        self._selected_outcome: str | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)

        # The money in one glance.
        self.summary = self._label("service_map_summary", "Service map: total spend and unmapped services")
        self.prevention_label = self._label("service_map_prevention", "Service map: prevention and early intervention")
        self.prevention_label.setToolTip("Annual cost of the services flagged prevention or early intervention, "
                                         "as a share of the total spend on the services in the map.")
        self.gap_summary = self._label("service_map_gap_summary", "Service map: gaps and overlaps in brief")
        glance = QVBoxLayout()
        glance.setSpacing(2)
        for label in (self.summary, self.prevention_label, self.gap_summary):
            glance.addWidget(label)
        outer.addLayout(glance)

        # Which services to draw.
        controls = QHBoxLayout()
        find_label = QLabel("Show &services:")
        find_label.setObjectName("service_map_filter_label")
        self.name_filter = QLineEdit()
        self.name_filter.setObjectName("service_map_filter")
        self.name_filter.setAccessibleName("Show only services whose name contains")
        self.name_filter.setPlaceholderText("name contains…")
        self.name_filter.setClearButtonEnabled(True)
        self.name_filter.setToolTip("Show only the columns of services whose name contains this text")
        self.name_filter.setMaximumWidth(260)
        self.name_filter.textChanged.connect(self._columns_changed)
        find_label.setBuddy(self.name_filter)
        self.only_selected = QCheckBox("&Only those linked to the selected outcome")
        self.only_selected.setObjectName("service_map_only_selected")
        self.only_selected.setAccessibleName("Show only services linked to the selected outcome")
        self.only_selected.setToolTip("Show only the services linked to the selected outcome or to anything below it")
        self.only_selected.toggled.connect(self._columns_changed)
        self.columns_label = self._label("service_map_columns", "Service map: which services are shown")
        controls.addWidget(find_label)
        controls.addWidget(self.name_filter)
        controls.addWidget(self.only_selected)
        controls.addWidget(self.columns_label, 1)
        outer.addLayout(controls)

        self.legend = self._label("service_map_legend", "Service map: key")
        self.legend.setText(
            "Each cell: the service's contribution (<b>Primary</b>, darker; Secondary, lighter) and the money it "
            "puts there; “overlap” marks services doing the same for the same children in the same place. "
            "Gaps are shaded amber and say why. <i>Money: hover here for how it is shared.</i>")
        self.legend.setToolTip(APPORTIONMENT_RULE)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.legend)

        # The matrix: a frozen part and the service columns, one model seen through two
        # proxies (the figures' columns, the services' columns).
        self.model = OutcomeMatrixModel(self)
        self.fixed_view = self._table("service_map_outcomes", "Service map: outcomes with their services, money and gaps")
        self.matrix_view = self._table("service_map_matrix", "Service map: each service's contribution to each outcome")
        self.figures = FiguresOnly(self)
        self.figures.setSourceModel(self.model)
        self.service_columns = ServicesOnly(self)
        self.service_columns.setSourceModel(self.model)
        for view, model in ((self.fixed_view, self.figures), (self.matrix_view, self.service_columns)):
            view.setHorizontalHeader(WrapHeader(4, view))
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # keeps the rows level
            view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.fixed_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matrix_view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.matrix_view.verticalScrollBar().valueChanged.connect(self.fixed_view.verticalScrollBar().setValue)
        self.fixed_view.verticalScrollBar().valueChanged.connect(self.matrix_view.verticalScrollBar().setValue)
        self.model.modelReset.connect(self._lay_out_columns)
        self.matrix_view.doubleClicked.connect(self._cell_activated)
        self.matrix_view.horizontalHeader().sectionDoubleClicked.connect(self._column_activated)
        self.matrix_view.installEventFilter(self)
        fm = QFontMetrics(self.matrix_view.font())
        self.cell_width = max(fm.horizontalAdvance("Primary · £888k · overlap"), 110) + 12
        self.matrix_view.horizontalHeader().setDefaultSectionSize(self.cell_width)

        self.empty_note = self._label("service_map_empty", "Service map: note")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.matrix_view, 1)
        right_layout.addWidget(self.empty_note, 1)
        self.matrix_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.matrix_splitter.setObjectName("service_map_matrix_splitter")
        self.matrix_splitter.setChildrenCollapsible(False)
        self.matrix_splitter.addWidget(self.fixed_view)
        self.matrix_splitter.addWidget(right)
        self.matrix_splitter.setStretchFactor(1, 1)

        # Below: money, gaps, overlaps, contracts.
        self.details = QTabWidget()
        self.details.setObjectName("service_map_details")
        self.details.setAccessibleName("Service map: details")
        self.details.setDocumentMode(True)

        money_page = QWidget()
        money_layout = QHBoxLayout(money_page)
        money_layout.setContentsMargins(0, 4, 0, 0)
        tips = ("", "Services with this tier recorded", "Their annual cost", "Share of the total spend")
        self.tier_model = ListTableModel(("Tier as recorded", "Services", "Money", "Share of spend"), (1, 2, 3), tips, self)
        self.band_model = ListTableModel(("Band of need", "Services", "Money", "Share of spend"), (1, 2, 3), tips, self)
        self.tier_table = self._small_table("service_map_tiers", "Spend by tier as recorded", self.tier_model)
        self.band_table = self._small_table("service_map_bands", "Spend by band of the continuum of need", self.band_model)
        self.band_table.setToolTip("The seven tiers folded into three bands: level 1 counts as universal, level 2 as "
                                   "targeted, levels 3 and 4 as specialist.")
        money_layout.addWidget(self.tier_table)
        money_layout.addWidget(self.band_table)
        money_layout.addStretch(1)
        self.details.addTab(money_page, "&Money by tier")

        self.gap_model = ListTableModel(("Gap in", "Ref.", "Outcome or priority", "Services", "Money", "Why"), (3, 4),
                                        ("An outcome of the plan, or a priority judged on its outcomes",), self)
        self.gap_table = self._small_table("service_map_gaps", "Gaps: outcomes and priorities with no or little service",
                                           self.gap_model)
        self.gap_table.doubleClicked.connect(self._gap_activated)
        self.gap_table.setSortingEnabled(True)  # by level, services or money, as the officer chooses
        self.gap_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # as worked out, first
        self.details.addTab(self.gap_table, "&Gaps")

        self.overlap_model = ListTableModel(("Outcome", "Services", "Which", "Where (group of children, locality)"), (1,),
                                            ("", "How many services have it as a primary outcome there", "",
                                             "Every group and locality where these services coincide"), self)
        self.overlap_table = self._small_table("service_map_overlaps", "Overlaps: services with the same primary "
                                               "outcome for the same group in the same locality", self.overlap_model)
        self.overlap_table.doubleClicked.connect(self._overlap_activated)
        self.overlap_table.setSortingEnabled(True)
        self.overlap_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.details.addTab(self.overlap_table, "O&verlaps")

        contracts_page = QWidget()
        contracts_layout = QHBoxLayout(contracts_page)
        contracts_layout.setContentsMargins(0, 4, 0, 0)
        ending_box, expired_box = QVBoxLayout(), QVBoxLayout()
        heads = ("Service", "Reference", "End date", "Time left", "Flag")
        self.ending_model = ListTableModel(heads, (3,), (), self)
        self.expired_model = ListTableModel(("Service", "Reference", "Ended", "Since", "Flag"), (3,), (), self)
        self.ending_label = self._label("service_map_ending_label", "Contracts ending in the next 12 months: heading")
        self.ending_table = self._small_table("service_map_contracts_ending", "Contracts ending in the next 12 months",
                                              self.ending_model)
        self.expired_label = self._label("service_map_expired_label", "Expired contracts: heading")
        self.expired_table = self._small_table("service_map_contracts_expired",
                                               "Expired contracts with no later contract", self.expired_model)
        for table in (self.ending_table, self.expired_table):
            table.doubleClicked.connect(self._contract_activated)
        self.ending_label.setBuddy(self.ending_table)
        self.expired_label.setBuddy(self.expired_table)
        ending_box.addWidget(self.ending_label)
        ending_box.addWidget(self.ending_table, 1)
        expired_box.addWidget(self.expired_label)
        expired_box.addWidget(self.expired_table, 1)
        contracts_layout.addLayout(ending_box, 1)
        contracts_layout.addLayout(expired_box, 1)
        self.details.addTab(contracts_page, "&Contracts ending")
        for i, name in enumerate(("money", "gaps", "overlaps", "contracts")):
            self.details.widget(i).setObjectName(f"service_map_page_{name}")

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("service_map_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.matrix_splitter)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 200])
        outer.addWidget(self.splitter, 1)

        QWidget.setTabOrder(self.name_filter, self.only_selected)
        QWidget.setTabOrder(self.only_selected, self.fixed_view)
        QWidget.setTabOrder(self.fixed_view, self.matrix_view)
        QWidget.setTabOrder(self.matrix_view, self.details)
        self._show_nothing()

    # --- building -------------------------------------------------------------------
    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setAccessibleDescription(accessible)  # a label's name is its text
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _table(self, name: str, accessible: str) -> QTableView:
        view = QTableView()
        view.setObjectName(name)
        view.setAccessibleName(accessible)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setTabKeyNavigation(False)  # Tab moves on to the next control
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        return view

    def _small_table(self, name: str, accessible: str, model: ListTableModel) -> QTableView:
        view = self._table(name, accessible)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return view

    # --- the interface --------------------------------------------------------------
    def set_source(self, conn: sqlite3.Connection | None, today: date) -> None:
        """Read the map from ``conn`` (None clears it) as on ``today``."""
        self.conn = conn
        self.today = today
        self.refresh()

    def refresh(self) -> None:
        """Recompute the map from the source (call it after edits)."""
        if self.conn is None:
            self.map = None
            self._show_nothing()
            return
        self.map = outcome_map(self.conn, today=self.today)
        self._fill()

    def set_service_filter(self, service_ids: set[str] | None) -> None:
        """Draw only these services' columns (None: every service). The outcomes'
        figures on the left still count every service."""
        self.service_filter = None if service_ids is None else set(service_ids)
        self._columns_changed()

    # --- filling --------------------------------------------------------------------
    def _show_nothing(self) -> None:
        self.model.set_map(None)
        for m in (self.tier_model, self.band_model, self.gap_model, self.overlap_model, self.ending_model,
                  self.expired_model):
            m.set_rows([])
        for label in (self.summary, self.prevention_label, self.gap_summary, self.columns_label,
                      self.ending_label, self.expired_label):
            label.setText("")
        self.summary.setText("Open a document to see the map of services to outcomes.")

    def _fill(self) -> None:
        m = self.map
        assert m is not None
        unmapped = len(m.unmapped_services)
        text = f"<b>Total spend:</b> {money(m.total_spend)} a year on {_plural(len(m.services), 'service')}."
        if unmapped:
            text += (f" <b>{_plural(unmapped, 'service')} ({money(m.unmapped_money)}) "
                     f"{'is' if unmapped == 1 else 'are'} not linked to any outcome.</b>")
        elif m.services:
            text += " Every service is linked to an outcome."
        self.summary.setText(text)
        self.prevention_label.setText(
            f"<b>Prevention and early intervention:</b> {money(m.prevention_money)} "
            f"({percent(m.prevention_share_pct, 1)} of spend, {_plural(m.prevention_services, 'service')})")
        outcome_gaps = sum(1 for g in m.gaps if g.kind == "outcome")
        priority_gaps = sum(1 for g in m.gaps if g.kind == "priority")
        self.gap_summary.setText(
            f"<b>Gaps:</b> {_plural(outcome_gaps, 'outcome')}, {_plural(priority_gaps, 'priority', 'priorities')}. "
            f"<b>Overlaps:</b> {len(m.overlap_sets):,}. <b>Contracts ending</b> within 6 months: "
            f"{len(m.ending_within(6)):,}, within 12: {len(m.contracts_ending):,}.")

        self.tier_model.set_rows([self._tier_row(t) for t in m.spend_by_tier])
        self.band_model.set_rows([self._tier_row(t) for t in m.spend_by_band])
        gaps = [g for g in m.gaps if g.kind == "priority"] + [g for g in m.gaps if g.kind == "outcome"]
        self.gap_model.set_rows([self._gap_row(g) for g in gaps])
        self.overlap_model.set_rows([self._overlap_row(ov) for ov in m.overlap_sets])
        self.ending_model.set_rows([self._contract_row(c) for c in m.contracts_ending])
        self.expired_model.set_rows([self._contract_row(c) for c in m.contracts_expired])
        self.ending_label.setText(
            f"Contracts &ending in the next 12 months ({len(m.contracts_ending):,}; "
            f"{len(m.ending_within(6)):,} within 6 months)" if m.contracts_ending
            else "No contract &ends in the next 12 months.")
        self.expired_label.setText(
            f"E&xpired, with no later contract recorded ({len(m.contracts_expired):,})" if m.contracts_expired
            else "No contract has e&xpired without a later one.")
        self.details.setTabText(1, f"&Gaps ({outcome_gaps + priority_gaps:,})")
        self.details.setTabText(2, f"O&verlaps ({len(m.overlap_sets):,})")
        self.details.setTabText(3, f"&Contracts ending ({len(m.contracts_ending):,})")
        self._columns_changed()
        money_width = max(100, QFontMetrics(self.tier_table.font()).horizontalAdvance(money(m.total_spend)) + 14)
        for table in (self.tier_table, self.band_table):
            table.horizontalHeader().setStretchLastSection(False)
            widths = (130, 70, money_width, 100)
            for col, width in enumerate(widths):
                table.setColumnWidth(col, width)
            table.setFixedWidth(sum(widths) + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width())
        for table, widths in ((self.gap_table, (70, 60, 380, 70, 100)), (self.overlap_table, (260, 320, 140, 70)),
                              (self.ending_table, (220, 125, 80, 75)), (self.expired_table, (220, 125, 80, 90))):
            for col, width in enumerate(widths):
                table.setColumnWidth(col, width)

    def _tier_row(self, t: TierSpend) -> _Row:
        return _Row((t.label, f"{t.services:,}", money(t.money), percent(t.share_pct, 1)), t.tier,
                    f"{t.label}: {_plural(t.services, 'service')}, {money(t.money)} a year, "
                    f"{percent(t.share_pct, 1)} of the total spend")

    def _gap_row(self, g: Gap) -> _Row:
        kind = "Priority" if g.kind == "priority" else "Outcome"
        tip = f"{kind}: {g.name}\n" + "\n".join(g.reasons)
        if g.kind == "priority":
            tip += "\nDouble-click to show its outcome in the map."
        return _Row((kind, g.code or "", g.name, f"{g.services:,}", money(g.money), " ".join(g.reasons)),
                    (g.kind, g.id, g.outcome_ids), tip)

    def _overlap_row(self, ov: OverlapSet) -> _Row:
        names = [name for _sid, name in ov.services]
        where = "; ".join(f"{group}, {locality}" for group, locality in ov.places)
        sentence = (f"Overlaps: {len(names)} services for {self._path(ov.outcome_id)}: {_names(names, 20)}"
                    f"\nWhere: {where}")
        return _Row((ov.outcome, f"{len(names):,}", _names(names, 20), where), ov.outcome_id,
                    sentence + "\nDouble-click to show the outcome in the map.")

    def _path(self, outcome_id: str) -> str:
        assert self.map is not None
        by_id = {o.id: o for o in self.map.outcomes}
        names: list[str] = []
        current = by_id.get(outcome_id)
        while current is not None and len(names) < 20:
            names.append(current.name)
            current = by_id.get(current.parent_id or "")
        return " › ".join(reversed(names))

    def _contract_row(self, c: ContractEnding) -> _Row:
        flag = f"Within {c.within} months" if c.within else "Expired"
        when = date_uk(c.end_date)
        tip = (f"{c.service}: contract {c.reference or '(no reference)'} "
               f"{'ends' if c.days_left >= 0 else 'ended'} on {when} ({_months_text(c)})."
               "\nDouble-click to select the service in the register.")
        return _Row((c.service, c.reference or "", when, _months_text(c), flag), c.service_id, tip,
                    ENDING_SHADES.get(c.within))

    # --- columns --------------------------------------------------------------------
    def _wanted_services(self) -> list[ServiceRow]:
        m = self.map
        if m is None:
            return []
        services = m.services
        if self.service_filter is not None:
            services = [s for s in services if s.id in self.service_filter]
        text = self.name_filter.text().strip().casefold()
        if text:
            services = [s for s in services if text in s.name.casefold()]
        if self.only_selected.isChecked() and self._selected_outcome is not None:
            below = self._subtree(self._selected_outcome)
            linked = {sid for (oid, sid) in m.cells if oid in below}
            services = [s for s in services if s.id in linked]
        return services

    def _subtree(self, outcome_id: str) -> set[str]:
        assert self.map is not None
        rows = self.map.outcomes
        start = next((i for i, o in enumerate(rows) if o.id == outcome_id), None)
        if start is None:
            return set()
        out = {outcome_id}
        for o in rows[start + 1:]:
            if o.depth <= rows[start].depth:
                break
            out.add(o.id)
        return out

    def _columns_changed(self, *_args: Any) -> None:
        if self.map is None:
            return
        keep = self._selected_outcome
        wanted = self._wanted_services()
        shown = wanted[:MAX_SERVICE_COLUMNS]
        self._syncing = True
        try:
            self.model.set_map(self.map, shown)
        finally:
            self._syncing = False
        self._describe_columns(len(wanted), len(shown))
        if keep is not None:
            self.select_outcome(keep)

    def _describe_columns(self, wanted: int, shown: int) -> None:
        m = self.map
        assert m is not None
        total = len(m.services)
        narrowed = wanted < total
        rule = f"The map draws at most {MAX_SERVICE_COLUMNS:,} service columns."
        if wanted > MAX_SERVICE_COLUMNS:
            self.columns_label.setText(
                f"<b>{wanted:,} services match: only the first {shown:,} by name are drawn.</b> {rule} Narrow them "
                "with the name filter, the register's filter or “Only those linked to the selected outcome”. "
                "The figures on the left count every service.")
        elif narrowed:
            self.columns_label.setText(f"Showing {_plural(wanted, 'service')} of {total:,}. {rule} "
                                       "The figures on the left count every service.")
        else:
            self.columns_label.setText(f"Showing all {_plural(total, 'service')}. {rule}")
        self.columns_label.setToolTip(rule + " Above that, filter the services to choose which to draw.")
        self.empty_note.setText("No service matches: clear the filter to see the services' columns."
                                if total and not shown else "No services are recorded yet." if not total else "")
        self.empty_note.setVisible(not shown)
        self.matrix_view.setVisible(bool(shown))

    def _lay_out_columns(self) -> None:
        """After a reset: size the frozen view's figures (the matrix's service columns
        keep their default width) and, once, the split between the two."""
        columns = self.model.columnCount()
        fixed_header = self.fixed_view.horizontalHeader()
        if columns:
            for col, width in zip(range(N_FIXED), FIXED_WIDTHS, strict=True):
                self.fixed_view.setColumnWidth(col, width)
            # money to the billions must not be cut: fit the largest figure (in bold)
            bold = QFont(self.fixed_view.font())
            bold.setBold(True)
            widest = max((o.money for o in self.model.outcomes), default=0.0)
            need = QFontMetrics(bold).horizontalAdvance(money(widest)) + 14
            self.fixed_view.setColumnWidth(COL_MONEY, max(FIXED_WIDTHS[COL_MONEY], need))
            fixed_header.setStretchLastSection(False)
            width = sum(self.fixed_view.columnWidth(c) for c in range(N_FIXED)) + 2 * self.fixed_view.frameWidth()
            sizes = self.matrix_splitter.sizes()
            total = sum(sizes) or self.width()
            if not getattr(self, "_split_set", False) and total > 0:
                self.matrix_splitter.setSizes([width, max(total - width, 200)])
                self._split_set = True

    # --- selection and activation ---------------------------------------------------
    def select_outcome(self, outcome_id: str) -> bool:
        """Select an outcome's row in both parts of the matrix."""
        row = self.model.row_of(outcome_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        was = self._syncing
        self._syncing = True
        try:
            for view in (self.fixed_view, self.matrix_view):
                current = view.currentIndex()
                col = current.column() if current.isValid() else 0
                if col >= view.model().columnCount():
                    col = 0
                view.selectionModel().setCurrentIndex(
                    view.model().index(row, col),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.fixed_view.scrollTo(self.figures.index(row, 0))
        finally:
            self._syncing = was
        self._selected_outcome = self.model.outcomes[row].id if 0 <= row < len(self.model.outcomes) else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._select_row(current.row())
        if self.only_selected.isChecked():
            self._columns_changed()

    def _service_at(self, index: QModelIndex) -> str | None:
        """The service of a matrix view's cell (its model has the services' columns only)."""
        s = self.service_columns.service_of(index.column()) if index.isValid() else None
        return s.id if s is not None else None

    def _cell_activated(self, index: QModelIndex) -> None:
        sid = self._service_at(index)
        if sid:
            self.service_activated.emit(sid)

    def _column_activated(self, column: int) -> None:
        s = self.service_columns.service_of(column)
        if s is not None:
            self.service_activated.emit(s.id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (obj is self.matrix_view and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._cell_activated(self.matrix_view.currentIndex())
            return True
        return super().eventFilter(obj, event)

    def _gap_activated(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if key:
            _kind, _id, outcome_ids = key
            if outcome_ids:
                self.select_outcome(outcome_ids[0])
                self.fixed_view.setFocus()

    def _overlap_activated(self, index: QModelIndex) -> None:
        outcome_id = index.data(KEY_ROLE)
        if outcome_id and self.select_outcome(outcome_id):
            self.fixed_view.setFocus()

    def _contract_activated(self, index: QModelIndex) -> None:
        sid = index.data(KEY_ROLE)
        if sid:
            self.service_activated.emit(sid)


__all__ = ["APPORTIONMENT_RULE", "MAX_SERVICE_COLUMNS", "N_FIXED", "OutcomeMatrixModel", "ServiceMapView",
           "ServicesOnly",
           "SERVICE_ID_ROLE", "OUTCOME_ID_ROLE", "CONTRIBUTION_ROLE", "IS_GAP_ROLE", "KEY_ROLE"]
