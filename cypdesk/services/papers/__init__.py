"""Board papers (issue 10), no Qt: composing them (compose.py, templates.py,
forward_plan.py, listing.py), their content from the data (content.py, appendices.py)
and what a partner may see (redact.py)."""
