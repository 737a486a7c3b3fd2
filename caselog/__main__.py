"""Run caselog as ``python -m caselog``."""

from caselog.cli import main

main()
