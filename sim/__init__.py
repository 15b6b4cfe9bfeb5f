"""Agent-based credit market simulator: borrowers, lenders, collectors and a credit bureau."""

from sim.compiled import configure_cache

configure_cache()
