"""Reflex UI: pages, components and State classes (thin: they call services)."""
