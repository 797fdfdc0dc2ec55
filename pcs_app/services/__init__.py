"""The product's rules, framework-free. Each takes the Core first and checks access in services/access.py."""
