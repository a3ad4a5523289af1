"""API used by the cadre's phone: revisits (idempotent by client UUID)."""

ROUTES: list = []
