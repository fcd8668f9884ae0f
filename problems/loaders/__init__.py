"""One module per file format; `problems.load` picks the right one for a file."""
