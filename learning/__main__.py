"""`make learn` (python -m learning): see learning/command.py."""

import sys

from learning.command import main

sys.exit(main())
