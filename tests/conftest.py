"""Test configuration shared by every test module.

On CI (the CI environment variable is set) hypothesis runs derandomized: the same commit
explores the same examples, so a red CI run is reproducible and never a roll of the dice.
Locally every run draws new examples, which is how new counterexamples get found.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
