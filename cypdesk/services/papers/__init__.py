"""Board papers (issue 10), no Qt: composing a paper from a template, its sections,
recommendations and appendices (compose.py), templates (templates.py), the forward
plan (forward_plan.py) and the list of papers (listing.py); what a paper shows
(content.py, appendices.py, redact.py) is built by i10-content's modules."""
