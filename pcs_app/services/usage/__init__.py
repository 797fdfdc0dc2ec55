"""Usage: what each account stores and does, counted cheaply as it happens and rolled up by day.

- ``ledger``: what each write transaction did (services/tx.py calls it): audit rows and usage deltas;
- ``events``: the same for reads (downloads), through the audit buffer;
- ``rollup``: the job that folds events into daily and all-time tables and measures what needs a scan
  (import it as ``from pcs_app.services.usage import rollup``: it needs services/tx.py, which needs
  the ledger, so this package does not import it);
- ``dashboard`` (an account's own) and ``admin`` (everyone's, the server's, the AWS estimate) read them.
"""

from . import events
from .admin import SORTS, AccountUsage, CostView, Overview, QueueHealth, accounts_usage, cost_estimate, overview
from .categories import TYPES, category
from .dashboard import CSV_COLUMNS, BigFile, Dashboard, Day, LinkActivity, Share, daily_csv, dashboard

__all__ = [
    "CSV_COLUMNS",
    "SORTS",
    "TYPES",
    "AccountUsage",
    "BigFile",
    "CostView",
    "Dashboard",
    "Day",
    "LinkActivity",
    "Overview",
    "QueueHealth",
    "Share",
    "accounts_usage",
    "category",
    "cost_estimate",
    "daily_csv",
    "dashboard",
    "events",
    "overview",
]
