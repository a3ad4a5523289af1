"""API: work units, cadres, pairings, revisit rounds."""

ROUTES: list = []
