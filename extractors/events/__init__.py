"""Event detection: actor gazetteer, event patterns, modality and the matcher."""
