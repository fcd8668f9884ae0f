"""The `qed` command: parses arguments, calls the packages, renders with rich. Nothing imports it."""
