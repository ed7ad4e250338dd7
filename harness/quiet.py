"""Third-party deprecation warnings hidden in the project's own entry points.

They are about Rasa 3.6's pinned dependencies, not about anything a user can
change, and a newcomer reads forty of them as errors. Sanic 21.12 turns every
DeprecationWarning back on when it is imported, so it is imported first and
the filters go in front of its own. Other warnings still show;
TROUBLESHOOTER_WARNINGS=1 shows these too."""

import os
import warnings

DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)


def quiet_warnings() -> None:
    if os.environ.get("TROUBLESHOOTER_WARNINGS") == "1":
        return
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sanic.app  # noqa: F401  (adds its "once" filter now, not later)
    for category in DEPRECATIONS:
        warnings.filterwarnings("ignore", category=category)
    show = warnings.showwarning

    def show_unless_deprecation(message, category, *args, **kwargs):
        # Rasa later puts `"once", UserWarning` in front, which catches pyparsing's
        # deprecations (UserWarning and DeprecationWarning at once)
        if not issubclass(category, DEPRECATIONS):
            show(message, category, *args, **kwargs)

    warnings.showwarning = show_unless_deprecation
