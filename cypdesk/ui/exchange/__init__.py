"""The window's exchange between partners (DESIGN.md section 5): File > Merge from
partner file… with its preview (``merge_dialog``, ``merge_models``, ``merge_flow``),
the offers to merge conflict copies and a file changed on disk (``merge_offers``),
opening a shared copy (``merge_share``), File > Share with partner… (``share_dialog``)
and the History view (``history_view``).

These modules call only the services of :mod:`cypdesk.services.exchange` and
:mod:`cypdesk.io.sharefile`, through the window's TaskRunner for anything that reads a
file; no merge or redaction rule lives in a widget. Each loads when first used, so the
window's first paint imports none of them.
"""
