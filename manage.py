#!/usr/bin/env python3
from porchlight.cli import main

if __name__ == "__main__":
    main()
