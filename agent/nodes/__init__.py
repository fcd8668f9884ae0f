"""One node per file; each is a plain function of (state, deps) returning the part it changes."""
