"""The bottom layer: errors, clocks, periods and UK formats. Imports nothing of ours."""
