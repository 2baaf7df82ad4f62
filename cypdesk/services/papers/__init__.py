"""Board papers: composing them, their content from the data, and what a partner may see."""
