"""`rasa shell` with output for people (channels/console.py); arguments as for `rasa shell`."""

import sys

from harness.quiet import quiet_warnings

quiet_warnings()

from channels import console  # noqa: E402  (after the warning filters: it imports rasa)

console.apply()

from rasa.__main__ import main  # noqa: E402  (after console.apply(), which patches rasa's console)

if __name__ == "__main__":
    sys.argv = ["rasa", "shell", *sys.argv[1:]]
    main()
