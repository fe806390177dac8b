"""CLI commands, one module per command; each defines ``command`` (a click command).

Modules here import only click at module level: heavy imports happen inside the command
functions, so ``labtox --help`` stays instant.
"""
