import sys

from canton_console.cli import main

sys.exit(main())
