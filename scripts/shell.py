"""`rasa shell` with output for people (channels/console.py); arguments as for `rasa shell`, and
`--lang CODE` (es, pt, id...): the language the bot starts in until the user's words decide."""

import sys

from harness.quiet import quiet_warnings

quiet_warnings()

from channels import console  # noqa: E402  (after the warning filters: it imports rasa)

args = sys.argv[1:]
lang = None
if "--lang" in args:
    i = args.index("--lang")
    lang = args[i + 1] if i + 1 < len(args) else None
    del args[i : i + 2]
console.apply(lang)

from rasa.__main__ import main  # noqa: E402  (after console.apply(), which patches rasa's console)

if __name__ == "__main__":
    sys.argv = ["rasa", "shell", *args]
    main()
