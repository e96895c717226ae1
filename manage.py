#!/usr/bin/env python3
from careloop.cli import main

if __name__ == "__main__":
    main()
