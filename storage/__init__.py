"""Persistence: SQLAlchemy models, repositories, pseudonymisation and the contact vault."""
