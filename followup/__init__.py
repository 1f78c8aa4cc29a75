"""Follow-through: what happens to an item after it is published.

Events in an item's life (报送, 采用, 转报, 批示, 办理反馈, 成果转化, satisfaction), who gets
credit for it, the office's points table, title matching for recording returned
lists, and the yearly statistics — all computed from recorded events, never stored.
Pure library code: the app layer reads events from the registry and hands them in.
"""
