#!/usr/bin/env python3
"""Command line of the credit market simulator; see `python run.py --help`."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
