"""A test-only Django app with encrypted fields, installed by tests/crypto/conftest.py."""
