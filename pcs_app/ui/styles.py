"""Styles in one place."""

ROW_HEIGHT = "3rem"  # touch-sized rows
MAX_WIDTH = "72rem"
mobile_hidden = {"display": ["none", "none", "table-cell"]}
focus_ring = {"_focus_visible": {"outline": "2px solid var(--accent-9)", "outline_offset": "2px"}}
