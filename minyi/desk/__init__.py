"""The review desk (``minyi serve``): queue, item, upload, issues, follow-through, figures."""
