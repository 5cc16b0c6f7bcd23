"""Analyses of the entity graph (NetworkX): views, policy→project linkage, plan vs actual,
structure, and the report that gathers them."""

# the named views of the entity graph (kg.analysis.views builds them)
VIEWS = ("full", "policy-project", "project-place", "neighbourhood")
