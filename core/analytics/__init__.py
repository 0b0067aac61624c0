"""Analytics: SQL aggregates over the generation log, demo data, budgets and their CLI.

Kept import-light on purpose: core.plugins loads core.analytics.budgets on every start.
"""
