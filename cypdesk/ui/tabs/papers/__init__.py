"""The Board papers tab: meetings with their papers, the paper editor (header fields,
rich-text sections, recommendations and decisions, appendices from the data), the
preview as it prints (export, provider-safe version, print) and the forward plan.
One module per view; :mod:`.tab` assembles them."""
