"""Pages: compositions of components; the app module wires them to routes."""
