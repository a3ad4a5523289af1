"""Village and township exit (贫困村出列 / 贫困乡摘帽) as a procedure (DESIGN.md §3).

The rule needs household figures (poverty incidence), so it lives with the households, not with the
geography (villages imports no other domain app). Models are declared here and imported into
households/models.py so that Django finds them; services write, selectors read, views and api call them.
"""
