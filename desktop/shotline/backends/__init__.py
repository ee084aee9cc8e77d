"""Generation backends: one module per service, the registry that finds them, and the offline animatic."""
