"""Background jobs of geography: none yet (its figures are refreshed by households.tasks)."""
