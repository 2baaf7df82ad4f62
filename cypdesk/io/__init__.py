"""Files in and out: Excel and CSV, PDF and Word, the exchange file. Below services,
beside model; imports nothing of ours above it, and never Qt."""
