"""Every size limit on input, in one place, so that a hostile or mistaken file gets one line, not a hang.

Each limit is far above what a real profile, ruleset or scenario needs (docs/limits.md lists them
with the reason for each); what exceeds it is refused with the file, the place and the limit.
"""

from __future__ import annotations

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A YAML or JSON input file (profile, ruleset, scenario, case file): the largest bundled one is 60 KB.
YAML is parsed node by node, about 10 s for 10 MB on a busy machine, so the limit keeps a mistaken
file (a data dump, /dev/zero) to one line within a second or two."""

MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024
"""A recorded snapshot (JSON, parsed in C): 1,000 profiles take 90 KB."""

MAX_CONDITION_CHARS = 2_000
"""A condition in a ruleset, a scenario `when:` or `search --where`; the longest bundled one is ~100."""

MAX_CONDITION_DEPTH = 40
"""Nesting of parentheses, `not` and arithmetic in one condition; the bundled rules nest at most 3 deep."""

MAX_NUMBER = 1e15
"""The largest magnitude of a number in a condition or a parameter value (a euro amount, an age)."""

MAX_ID_CHARS = 200
"""A profile's `id`, a label printed in every report."""

MAX_SHORT_TEXT_CHARS = 200
"""A short text field of a profile, such as `municipality`."""

MAX_LIST_ITEMS = 50
"""A list in a profile (`children`, `co_residents`); `needs` holds each need at most once."""

MAX_POPULATION = 1_000_000_000
"""Profiles in one scenario run (`size:` or `--size`); they are generated and decided in chunks."""

MAX_GENERATED_ITEMS = 12
"""Children or co-residents per generated profile in a scenario (`count:`): each is a set of columns."""

MAX_BODY_BYTES = 64 * 1024
"""A request body of `regelgat serve` (`POST /api/v1/check`, the form): a profile is a few kilobytes."""

MAX_SEED = 2**63 - 1
"""A scenario seed (`seed:` or `--seed`): numpy's generators take a non-negative 64-bit integer."""

MAX_ERRORS_SHOWN = 20
"""Problems reported at once for one file; the rest are counted in a last line."""

MAX_CLIFF_POINTS = 20_001
"""Steps of one `regelgat cliff` (from, to and step): EUR 0 to 5,000 by the cent is 500,001, far past
what a chart shows; 20,001 is EUR 0 to 5,000 by 25 cents, decided in about a second."""
