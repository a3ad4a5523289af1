"""Pages for officials: pairings, revisit rounds, reminders, printables."""

urlpatterns: list = []
