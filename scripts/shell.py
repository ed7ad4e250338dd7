"""`rasa shell` with output for people (channels/console.py); arguments as for `rasa shell`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.quiet import quiet_warnings  # noqa: E402

quiet_warnings()

from channels import console  # noqa: E402

console.apply()

from rasa.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.argv = ["rasa", "shell", *sys.argv[1:]]
    main()
