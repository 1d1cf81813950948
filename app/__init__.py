"""Movements Onion: the Flask application (the factory is in factory.py)."""
