"""The decision core: pure Python, no Django, no database, no I/O beyond reading its own data files.

Everything that decides (instruments, prioritisation, diversion policy, legal calculators, triage)
lives here, so the case service, the CLI and the simulation cannot disagree.
"""
