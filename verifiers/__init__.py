"""Everything that checks: sandbox, formalizer, numeric search, certificates, Lean, judges."""
