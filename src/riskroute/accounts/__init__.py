"""Forces, units, provider organisations and users with roles: who may see and do what."""
