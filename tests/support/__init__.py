"""Support shared by the tests and `make bench`: the wild evaluation sets,
simulated users over REST, and the project's servers on free ports."""
