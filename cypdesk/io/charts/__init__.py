"""Charts with one look in the window and in board papers: matplotlib figures made
here (no Qt), shown in the window by :mod:`cypdesk.ui.widgets.chart_view` and saved as
vector graphics (SVG or PDF) for papers. matplotlib is imported only when a chart is
drawn, never at start-up (it costs about 0.46 s to import).

Every rating is written as a word beside its colour (readers who cannot tell the
colours apart; greyscale printouts). Modules: :mod:`.style` (colours, fonts, the
figure factory), and one module per kind of chart, each owned by the tab that needs it
first: ``trend`` (needs), ``bars`` (pooled budgets and spend), ``ratings`` (monitoring:
RAG table, sparkline).
"""
