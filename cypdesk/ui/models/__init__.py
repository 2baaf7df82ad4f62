"""Qt table models over the services layer's lazy queries."""
