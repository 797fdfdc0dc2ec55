"""Stateless pieces of the pages; each takes Vars and event handlers, none defines state."""
