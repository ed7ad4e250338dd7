"""The project's servers started and stopped for tests, the bench, demo data and
screenshots (free loopback ports), a throw-away Redis, a fake Chatwoot, headless
Chromium, and the entry points' warning filters."""
